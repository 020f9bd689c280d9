import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO } from "@/emulator/seed";
import { auditIntegritySchema, auditPageSchema, divisionUsersPayloadSchema, type AuditPageDto } from "@/lib/shared/contract";

import { errorOf, parseBody, readBody } from "../support/bff-bodies";
import type { CookieJar } from "../support/http-session";
import { errorCode, parseCsv, send, sendText, signInAll, startHttpStack, type Account, type Stack } from "../support/http-stack";

// The audit trail over HTTP: every view, export and diagnostics run is recorded with who, when, which
// division, rows and isolation summary; only admins may read it (page, JSON, CSV, integrity), and their
// reading is recorded as well.

const METRICS_TOKEN = "audit-test-metrics-token-0123456789";

let stack: Stack;
let app: string;
let jars: Record<Account, CookieJar>;

async function auditPage(query = ""): Promise<AuditPageDto> {
  const res = await sendText(`${app}/api/audit${query}`, { jar: jars.admin });
  expect(res.status, res.text).toBe(200);
  return parseBody(auditPageSchema, res.text, `/api/audit${query}`);
}

beforeAll(async () => {
  stack = await startHttpStack(3207, { METRICS_BEARER_TOKEN: METRICS_TOKEN });
  app = stack.appUrl;
  jars = await signInAll(app);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe("what is recorded", () => {
  it("a view: who, which division, rows, isolation summary, outcome and the request id", async () => {
    const res = await send(`${app}/api/divisions/${DEMO.divisions.acme}/users`, { jar: jars.ana });
    expect(res.status).toBe(200);
    const body = await readBody(divisionUsersPayloadSchema, res);
    const [event] = (await auditPage(`?person=${encodeURIComponent(DEMO.staff.ana.email)}&action=division.view&limit=1`)).events;
    expect(event).toMatchObject({
      action: "division.view",
      outcome: "ok",
      actor: { email: DEMO.staff.ana.email, role: "manager" },
      divisionId: DEMO.divisions.acme,
      divisionName: "Acme Insurance",
      rows: body.users.length,
      isolation: { checked: body.users.length, verified: body.users.length, dropped: 0, countMatches: true, consistent: true },
      requestId: res.headers.get("x-request-id"),
    });
    expect(Date.now() - Date.parse(event?.at ?? "")).toBeLessThan(60_000);
  });

  it("an export, with the rows of the filtered view", async () => {
    const res = await sendText(`${app}/api/divisions/${DEMO.divisions.globex}/users.csv?state=inactive`, { jar: jars.ben });
    expect(res.status).toBe(200);
    const rows = parseCsv(res.text).length - 1;
    const [event] = (await auditPage("?action=division.export&limit=1")).events;
    expect(event).toMatchObject({ outcome: "ok", actor: { email: DEMO.staff.ben.email }, divisionId: DEMO.divisions.globex, rows });
  });

  it("a refusal of a signed-in person, with who they are; a signed-out caller's refusals never reach the trail", async () => {
    const before = (await auditPage("?limit=1")).events[0]?.id ?? 0;
    // Signed out: a 401, a 400 and an unknown id, many times. Logged and counted, not stored.
    for (let i = 0; i < 5; i++) {
      expect((await send(`${app}/api/divisions/${DEMO.divisions.globex}/users`)).status).toBe(401);
      expect((await send(`${app}/api/divisions/${DEMO.divisions.globex}/users?x=${i}`)).status).toBe(400);
      expect((await send(`${app}/api/divisions/not-an-id/users.csv`)).status).toBe(400);
      expect((await send(`${app}/api/audit`)).status).toBe(401);
    }
    const afterSignedOut = (await auditPage("?limit=500")).events.filter((e) => e.id > before && e.action !== "audit.view");
    expect(afterSignedOut).toEqual([]);
    const metrics = await sendText(`${app}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(metrics.text).toMatch(/tenantscope_audit_events_total\{result="signed_out"\} (\d+)/);
    expect(Number(/tenantscope_audit_events_total\{result="signed_out"\} (\d+)/.exec(metrics.text)?.[1])).toBeGreaterThanOrEqual(20);

    // Signed in: a refusal and a bad query string, both with the actor.
    expect((await send(`${app}/api/divisions/${DEMO.divisions.globex}/users`, { jar: jars.ana })).status).toBe(403);
    expect((await send(`${app}/api/divisions/${DEMO.divisions.globex}/users?refresh=2`, { jar: jars.ana })).status).toBe(400);
    const [badQuery, denied] = (await auditPage(`?division=${DEMO.divisions.globex}&outcome=denied&limit=2`)).events;
    expect(denied).toMatchObject({ action: "division.view", code: "forbidden", actor: { email: DEMO.staff.ana.email } });
    expect(badQuery).toMatchObject({ action: "division.view", code: "bad_request", actor: { email: DEMO.staff.ana.email, role: "manager" } });
  });

  it("a page-level refusal: a manager opening another tenant's page, or an admin page", async () => {
    const page = await send(`${app}/divisions/${DEMO.divisions.umbrella}`, { jar: jars.ben });
    expect(page.status).toBe(403);
    const [event] = (await auditPage(`?person=${encodeURIComponent(DEMO.staff.ben.email)}&division=${DEMO.divisions.umbrella}&limit=1`)).events;
    expect(event).toMatchObject({ action: "division.view", outcome: "denied", code: "forbidden", actor: { email: DEMO.staff.ben.email }, divisionId: DEMO.divisions.umbrella });
    // The manager was not told the name, and neither is the trail entry's refusal built from it.
    expect(event?.divisionName).toBeUndefined();
    expect((await send(`${app}/audit`, { jar: jars.noAccess })).status).toBe(403);
    const [attempt] = (await auditPage(`?person=${encodeURIComponent(DEMO.staff.noAccess.email)}&action=audit.view&limit=1`)).events;
    expect(attempt).toMatchObject({ outcome: "denied", code: "forbidden", actor: { email: DEMO.staff.noAccess.email } });
  });

  it("diagnostics runs, and a manager's attempt at them", async () => {
    expect((await send(`${app}/api/diagnostics`, { jar: jars.admin })).status).toBe(200);
    expect((await send(`${app}/api/diagnostics`, { jar: jars.ben })).status).toBe(403);
    const events = (await auditPage("?action=diagnostics.run&limit=2")).events;
    expect(events.map((e) => [e.actor?.email, e.outcome])).toEqual([
      [DEMO.staff.ben.email, "denied"],
      [DEMO.staff.admin.email, "ok"],
    ]);
  });
});

describe("who may read it", () => {
  it.each([
    ["/api/audit", auditPageSchema],
    ["/api/audit.csv", null],
    ["/api/audit/integrity", auditIntegritySchema],
  ])("%s: 401 signed out, 403 for managers (and their attempt is recorded), 200 for admins", async (path, schema) => {
    const signedOut = await sendText(`${app}${path}`);
    expect(signedOut.status).toBe(401);
    expect(errorCode(signedOut.text)).toBe("unauthenticated");
    for (const manager of ["ana", "ben", "noAccess"] as const) {
      const res = await sendText(`${app}${path}`, { jar: jars[manager] });
      expect(res.status, manager).toBe(403);
      expect(errorCode(res.text)).toBe("forbidden");
      expect(res.text).not.toContain("@northwind.example");
    }
    const ok = await sendText(`${app}${path}`, { jar: jars.admin });
    expect(ok.status).toBe(200);
    if (schema) parseBody(schema, ok.text, path);
    const [attempt] = (await auditPage(`?person=${encodeURIComponent(DEMO.staff.noAccess.email)}&outcome=denied&limit=1`)).events;
    expect(attempt?.action).toMatch(/^audit\./);
  });

  it("the /audit page: the trail for admins, a 403 page (and no events) for managers", async () => {
    const admin = await sendText(`${app}/audit`, { jar: jars.admin });
    expect(admin.status).toBe(200);
    expect(admin.text).toContain("Audit trail");
    expect(admin.text).toContain(DEMO.staff.ana.email);
    const manager = await sendText(`${app}/audit`, { jar: jars.ben });
    expect(manager.status).toBe(403);
    expect(manager.text).toContain("This page is for administrators");
    expect(manager.text).not.toContain(DEMO.staff.ana.email);
    const signedOut = await send(`${app}/audit?person=ana`);
    expect(signedOut.status).toBe(307);
    expect(new URL(signedOut.headers.get("location") ?? "", app).searchParams.get("callbackUrl")).toBe("/audit?person=ana");
  });
});

describe("filters, paging and CSV", () => {
  it("filters by person, division, action, outcome and day, and pages to older events", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const all = await auditPage(`?from=${today}&to=${today}&limit=500`);
    expect(all.events.length).toBeGreaterThan(5);
    const ids = all.events.map((e) => e.id);
    expect([...ids].sort((x, y) => y - x)).toEqual(ids);
    const first = await auditPage("?limit=2");
    const second = await auditPage(`?limit=2&before=${first.nextBefore}`);
    expect(second.events[0]?.id).toBeLessThan(first.events[1]?.id ?? 0);
    expect((await auditPage("?from=2000-01-01&to=2000-01-02")).events).toEqual([]);
    const byName = await auditPage(`?person=Ben&division=${DEMO.divisions.globex}&action=division.export&outcome=ok`);
    expect(byName.events.length).toBeGreaterThan(0);
    expect(byName.events.every((e) => e.actor?.email === DEMO.staff.ben.email && e.divisionId === DEMO.divisions.globex)).toBe(true);
  });

  it.each([
    ["?from=2026-02-31", "from"],
    ["?to=yesterday", "to"],
    ["?from=2026-12-02&to=2026-12-01", "from"],
    ["?division=not-a-division", "division"],
    ["?action=division.delete", "action"],
    ["?outcome=maybe", "outcome"],
    ["?limit=0", "limit"],
    ["?limit=501", "limit"],
    ["?before=-1", "before"],
    [`?person=${"x".repeat(201)}`, "person"],
    ["?person=a&person=b", "person"],
    ["?sort=at", "sort"],
    ["?person=%FF", "query"],
  ])("GET /api/audit%s is a 400 naming %s", async (query, field) => {
    const res = await sendText(`${app}/api/audit${query}`, { jar: jars.admin });
    expect(res.status).toBe(400);
    expect(errorOf(res.text)).toMatchObject({ code: "bad_request", field });
  });

  it("the CSV holds every matching event, formulas neutralised, and its export is itself recorded", async () => {
    const res = await sendText(`${app}/api/audit.csv?action=division.view`, { jar: jars.admin });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    // One CSV response for both exports: the plain name and its RFC 6266 filename* twin.
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="(tenantscope-audit-\d{4}-\d{2}-\d{2}\.csv)"; filename\*=UTF-8''\1$/);
    const [header, ...rows] = parseCsv(res.text);
    expect(header?.slice(0, 6)).toEqual(["at", "action", "outcome", "code", "actorEmail", "actorName"]);
    const json = await auditPage("?action=division.view&limit=500");
    expect(rows.length).toBe(json.events.length);
    expect(rows.every((r) => r[1] === "division.view")).toBe(true);
    expect((await send(`${app}/api/audit.csv?limit=5`, { jar: jars.admin })).status).toBe(400);
    const [exported] = (await auditPage("?action=audit.export&outcome=ok&limit=1")).events;
    expect(exported).toMatchObject({ actor: { email: DEMO.staff.admin.email }, rows: rows.length });
  });

  it("the integrity check recomputes the hash chain", async () => {
    const res = await sendText(`${app}/api/audit/integrity`, { jar: jars.admin });
    const check = parseBody(auditIntegritySchema, res.text);
    expect(check.ok).toBe(true);
    expect(check.checked).toBeGreaterThan(10);
  });
});
