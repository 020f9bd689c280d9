import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type * as z from "zod/mini";

import { DEMO } from "@/emulator/seed";
import { auditIntegritySchema, auditPageSchema, diagnosticsSchema, divisionDetailSchema, divisionsListSchema, divisionUsersPayloadSchema } from "@/lib/shared/contract";
import { startStack } from "@/scripts/stack";

import { errorOf, parseBody } from "../support/bff-bodies";
import { get, signIn, type CookieJar } from "../support/http-session";

// Nothing secret may reach a browser: not in the built client assets, not in any page's HTML, not in any
// API response. The scan looks for the BFF's client id and secret, the staff client's secret, the session
// secret, and every access or refresh token the emulator issued during the run.

const NEXTAUTH_SECRET = randomBytes(32).toString("base64url");
let stack: Awaited<ReturnType<typeof startStack>>;
let admin: CookieJar;

beforeAll(async () => {
  stack = await startStack({ appPort: 3290, env: { NEXTAUTH_SECRET } });
  admin = (await signIn(stack.appUrl, DEMO.staff.admin.email)).jar;
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

function secrets(): Map<string, string> {
  const found = new Map<string, string>([
    [DEMO.clients.bff.id, "BFF client id"],
    [DEMO.clients.bff.secret, "BFF client secret"],
    [DEMO.clients.staffLogin.secret, "staff client secret"],
    [NEXTAUTH_SECRET, "NEXTAUTH_SECRET"],
  ]);
  for (const token of stack.emulator.state.tokens.keys()) found.set(token, "access token");
  for (const token of stack.emulator.state.refreshTokens.keys()) found.set(token, "refresh token");
  return found;
}

function hits(text: string, label: string): string[] {
  const out: string[] = [];
  for (const [secret, what] of secrets()) if (text.includes(secret)) out.push(`${what} in ${label}`);
  return out;
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe("secret scan", () => {
  it("finds no secret or token in any file under .next/static", () => {
    const files = walk(path.resolve(".next/static"));
    expect(files.length).toBeGreaterThan(10);
    const found = files.flatMap((f) => hits(fs.readFileSync(f, "latin1"), path.relative(".", f)));
    expect(found).toEqual([]);
  });

  it("finds none in the HTML of each page or in the API responses a signed-in admin gets", async () => {
    // Load a division first so that the BFF's token and the admin's token both exist and are in the list.
    await get(`${stack.appUrl}/api/divisions/${DEMO.divisions.acme}/users`, admin);
    // With the contract schema of each BFF JSON body (pages, CSV and next-auth's own routes have none).
    const paths: [string, z.ZodMiniType | null][] = [
      ["/signin", null],
      ["/", null],
      [`/divisions/${DEMO.divisions.acme}`, null],
      [`/divisions/${DEMO.divisions.stark}`, null],
      ["/diagnostics", null],
      ["/audit", null],
      ["/api/auth/session", null],
      ["/api/divisions", divisionsListSchema],
      [`/api/divisions/${DEMO.divisions.acme}`, divisionDetailSchema],
      [`/api/divisions/${DEMO.divisions.acme}/users`, divisionUsersPayloadSchema],
      [`/api/divisions/${DEMO.divisions.acme}/users.csv`, null],
      ["/api/diagnostics", diagnosticsSchema],
      ["/api/audit", auditPageSchema],
      ["/api/audit.csv", null],
      ["/api/audit/integrity", auditIntegritySchema],
      ["/api/health", null],
    ];
    const found: string[] = [];
    for (const [p, schema] of paths) {
      const res = await get(`${stack.appUrl}${p}`, admin);
      expect(res.status, p).toBeLessThan(500);
      const text = await res.text();
      if (schema) {
        if (res.status === 200) parseBody(schema, text, p);
        else errorOf(text, p);
      }
      found.push(...hits(text, p));
    }
    expect(secrets().size).toBeGreaterThan(5);
    expect(found).toEqual([]);
  });
});
