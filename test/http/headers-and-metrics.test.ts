import { createHash } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { startStack } from "@/scripts/stack";

import { get, signIn, type CookieJar } from "../support/http-session";

// Security headers on every page and route, the session cookie's flags, and the metrics endpoint.

const METRICS_TOKEN = "metrics-test-token-0123456789";
let stack: Awaited<ReturnType<typeof startStack>>;
let ana: CookieJar;
let setCookies: string[] = [];

beforeAll(async () => {
  stack = await startStack({ appPort: 3291, env: { METRICS_BEARER_TOKEN: METRICS_TOKEN } });
  ana = (await signIn(stack.appUrl, DEMO.staff.ana.email)).jar;
  // Capture the Set-Cookie flags of a fresh CSRF cookie as next-auth sends them.
  const res = await fetch(`${stack.appUrl}/api/auth/csrf`);
  setCookies = res.headers.getSetCookie();
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

function expectCommonHeaders(res: Response, where: string): void {
  expect(res.headers.get("x-content-type-options"), where).toBe("nosniff");
  expect(res.headers.get("referrer-policy"), where).toBe("strict-origin-when-cross-origin");
  expect(res.headers.get("permissions-policy"), where).toContain("camera=()");
  const csp = res.headers.get("content-security-policy") ?? "";
  expect(csp, where).toContain("frame-ancestors 'none'");
  expect(csp, where).not.toContain("unsafe-eval");
  // A fresh id per request, for logs and support (proxy.ts).
  expect(res.headers.get("x-request-id"), where).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
}

describe("security headers", () => {
  it("pages rendered per request carry a nonce-based CSP that Next's scripts use", async () => {
    // Globex is not Ana's: its 403 page is rendered per request (her own division gets the shell, below).
    for (const path of ["/signin", `/divisions/${DEMO.divisions.globex}`, "/", "/audit"]) {
      const res = await get(`${stack.appUrl}${path}`, ana);
      expectCommonHeaders(res, path);
      const csp = res.headers.get("content-security-policy") ?? "";
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce, path).toBeTruthy();
      if (res.status === 200) {
        const html = await res.text();
        // Every script tag that Next rendered carries the nonce (else the browser would refuse to run it).
        const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
        expect(scripts.length).toBeGreaterThan(0);
        for (const tag of scripts) expect(tag, `${path}: ${tag.slice(0, 80)}`).toContain(`nonce="${nonce}"`);
      }
    }
  });

  it("the division shell: its inline scripts allowed by their hashes, nothing else inline, nothing any cache may keep", async () => {
    const res = await get(`${stack.appUrl}/divisions/${DEMO.divisions.acme}`, ana);
    expect(res.status).toBe(200);
    expectCommonHeaders(res, "shell");
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    const csp = res.headers.get("content-security-policy") ?? "";
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1]?.split(" ") ?? [];
    expect(scriptSrc[0]).toBe("'self'");
    expect(scriptSrc.slice(1).every((source) => /^'sha256-[A-Za-z0-9+/]+=*'$/.test(source)), csp).toBe(true);
    expect(/script-src[^;]*unsafe-inline/.test(csp)).toBe(false);
    const html = await res.text();
    const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter((m) => !/\ssrc=/.test(m[1] ?? ""));
    // Next's own payload scripts and the early users request: each is allowed by its hash, or the browser refuses it.
    expect(inline.length).toBeGreaterThan(1);
    for (const [, , body = ""] of inline) expect(scriptSrc, body.slice(0, 60)).toContain(`'sha256-${createHash("sha256").update(body).digest("base64")}'`);
    // Script files only from this origin.
    for (const [, src] of html.matchAll(/<script\b[^>]*\ssrc="([^"]+)"/g)) expect(src).toMatch(/^\/_next\/static\//);
  });

  it("API routes, including errors and sign-in redirects, carry the headers", async () => {
    for (const [path, jar] of [
      ["/api/health", null],
      ["/api/divisions", null],
      ["/api/divisions", ana],
      [`/api/divisions/${DEMO.divisions.globex}/users`, ana],
      ["/api/audit", ana],
      ["/api/audit?limit=0", ana],
    ] as const) {
      expectCommonHeaders(await get(`${stack.appUrl}${path}`, jar), path);
    }
    // The id is the request's own, not one the caller chose.
    const chosen = "11111111-1111-4111-8111-111111111111";
    expect((await get(`${stack.appUrl}/api/divisions`, ana, { "x-request-id": chosen })).headers.get("x-request-id")).not.toBe(chosen);
    expectCommonHeaders(await get(`${stack.appUrl}/divisions/${DEMO.divisions.acme}`, null), "signed-out redirect");
  });

  it("session cookies are httpOnly and SameSite", () => {
    const csrf = setCookies.find((c) => c.includes("csrf-token"));
    expect(csrf).toMatch(/HttpOnly/i);
    expect(csrf).toMatch(/SameSite=Lax/i);
  });
});

describe("/api/metrics", () => {
  it("requires the bearer token", async () => {
    expect((await get(`${stack.appUrl}/api/metrics`, null)).status).toBe(401);
    expect((await get(`${stack.appUrl}/api/metrics`, null, { authorization: "Bearer wrong-token-wrong-token" })).status).toBe(401);
  });

  it("reports upstream calls, cache lookups and fetch durations in Prometheus text format", async () => {
    await get(`${stack.appUrl}/api/divisions/${DEMO.divisions.acme}/users`, ana);
    await get(`${stack.appUrl}/api/divisions/${DEMO.divisions.acme}/users`, ana);
    const res = await get(`${stack.appUrl}/api/metrics`, null, { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toMatch(/tenantscope_upstream_requests_total\{operation="postUsersSearch",status="200"\} [1-9]/);
    expect(text).toMatch(/tenantscope_division_cache_requests_total\{result="hit"\} [1-9]/);
    expect(text).toMatch(/tenantscope_division_fetch_duration_seconds_count\{outcome="ok"\} [1-9]/);
    // The admission gate (server/index.mjs) and the audit trail report through the same registry.
    expect(text).toMatch(/tenantscope_http_requests_admitted_total [1-9]/);
    expect(text).toMatch(/tenantscope_http_requests_queued 0/);
    expect(text).toMatch(/tenantscope_audit_events_total\{result="stored"\} [1-9]/);
    expect(text).not.toMatch(/tenantscope_audit_events_total\{result="failed"\}/);
    // Without Redis or PostgreSQL their gauges are absent: a 0 would read as "down" to an alert.
    expect(text).not.toMatch(/tenantscope_shared_store_up|tenantscope_audit_store_up|tenantscope_audit_buffered_events/);
    expect(text).not.toContain(DEMO.clients.bff.secret);
  });
});
