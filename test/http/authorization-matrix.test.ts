// Every division-scoped route × every kind of caller × every kind of division, against the real app with
// real sessions: the exact status of each cell, and no body ever naming a user the caller may not see.
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { DEMO } from "@/emulator/seed";
import { diagnosticsSchema, divisionDetailSchema, divisionsListSchema, divisionTestSchema, divisionUsersPayloadSchema } from "@/lib/shared/contract";
import { errorOf, parseBody, parseUsersStream } from "@/test/support/bff-bodies";
import type { CookieJar } from "@/test/support/http-session";
import {
  ACCOUNTS,
  errorCode,
  foreignUsersIn,
  loadGroundTruth,
  operationCount,
  sendText,
  signInAll,
  startHttpStack,
  VISIBLE,
  type Account,
  type GroundTruth,
  type Stack,
  type TextResponse,
} from "@/test/support/http-stack";

const APP_PORT = 3201;
const D = DEMO.divisions;

type Caller = "signedOut" | Account;
type Target = "own" | "other" | "unknown" | "malformed" | "stark";
const CALLERS: readonly Caller[] = ["signedOut", ...ACCOUNTS];
const TARGETS: readonly Target[] = ["own", "other", "unknown", "malformed", "stark"];

const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"; // well-formed, in no org
const MALFORMED_ID = "not-a-uuid";

/** Which division each column means for each caller. no.access holds no grant anywhere: "own" is Home, where they sit. */
const TARGET_IDS: Record<Caller, Record<Target, string>> = {
  signedOut: { own: D.acme, other: D.globex, unknown: UNKNOWN_ID, malformed: MALFORMED_ID, stark: D.stark },
  ana: { own: D.acme, other: D.globex, unknown: UNKNOWN_ID, malformed: MALFORMED_ID, stark: D.stark },
  ben: { own: D.globex, other: D.acme, unknown: UNKNOWN_ID, malformed: MALFORMED_ID, stark: D.stark },
  noAccess: { own: D.home, other: D.acme, unknown: UNKNOWN_ID, malformed: MALFORMED_ID, stark: D.stark },
  admin: { own: D.acme, other: D.globex, unknown: UNKNOWN_ID, malformed: MALFORMED_ID, stark: D.stark },
};

// "status" or "status error-code". Order of checks in the app: malformed id (400) → no session (401) →
// not theirs (403 forbidden, whether or not the division exists: managers learn nothing about other ids) →
// unknown division (404, for admins) → the BFF cannot read it (403 upstream_forbidden).
type Cell = "200" | "400 bad_request" | "401 unauthenticated" | "403 forbidden" | "403 upstream_forbidden" | "404 not_found";
type Table = Record<Caller, Record<Target, Cell>>;

/** GET /api/divisions/{id}, …/users (JSON and NDJSON) and …/users.csv all share the one gate. */
const DIVISION_ROUTES_EXPECTED: Table = {
  //           own                     other                   unknown                 malformed               stark
  signedOut: { own: "401 unauthenticated", other: "401 unauthenticated", unknown: "401 unauthenticated", malformed: "400 bad_request", stark: "401 unauthenticated" },
  ana:       { own: "200",                 other: "403 forbidden",       unknown: "403 forbidden",       malformed: "400 bad_request", stark: "403 forbidden" },
  ben:       { own: "200",                 other: "403 forbidden",       unknown: "403 forbidden",       malformed: "400 bad_request", stark: "403 forbidden" },
  noAccess:  { own: "403 forbidden",       other: "403 forbidden",       unknown: "403 forbidden",       malformed: "400 bad_request", stark: "403 forbidden" },
  admin:     { own: "200",                 other: "200",                 unknown: "404 not_found",       malformed: "400 bad_request", stark: "403 upstream_forbidden" },
};

/**
 * POST /api/diagnostics/divisions/{id}/test: id syntax first, then admin-only. For an admin the test itself
 * reports an unknown or unreachable division in a 200 body ({ ok: false, failure }).
 */
const DIAGNOSTICS_TEST_EXPECTED: Table = {
  //           own                     other                   unknown                 malformed               stark
  signedOut: { own: "401 unauthenticated", other: "401 unauthenticated", unknown: "401 unauthenticated", malformed: "400 bad_request", stark: "401 unauthenticated" },
  ana:       { own: "403 forbidden",       other: "403 forbidden",       unknown: "403 forbidden",       malformed: "400 bad_request", stark: "403 forbidden" },
  ben:       { own: "403 forbidden",       other: "403 forbidden",       unknown: "403 forbidden",       malformed: "400 bad_request", stark: "403 forbidden" },
  noAccess:  { own: "403 forbidden",       other: "403 forbidden",       unknown: "403 forbidden",       malformed: "400 bad_request", stark: "403 forbidden" },
  admin:     { own: "200",                 other: "200",                 unknown: "200",                 malformed: "400 bad_request", stark: "200" },
};

interface RouteSpec {
  name: string;
  method: "GET" | "POST";
  path: (id: string) => string;
  headers?: Record<string, string>;
  expected: Table;
  /** Checks a 200 body against its contract schema (none for the CSV). */
  check200?: (text: string, what: string) => void;
}

/** A cold division streams NDJSON ending in the result line; a cached one is answered as the JSON payload. */
function lastLineIsResult(text: string, what: string): void {
  if (!text.endsWith("\n")) {
    parseBody(divisionUsersPayloadSchema, text, what);
    return;
  }
  const lines = parseUsersStream(text);
  expect(lines.at(-1)?.type, what).toBe("result");
}

const ROUTES: readonly RouteSpec[] = [
  {
    name: "GET /api/divisions/{id}",
    method: "GET",
    path: (id) => `/api/divisions/${id}`,
    expected: DIVISION_ROUTES_EXPECTED,
    check200: (text, what) => {
      parseBody(divisionDetailSchema, text, what);
    },
  },
  {
    name: "GET /api/divisions/{id}/users (JSON)",
    method: "GET",
    path: (id) => `/api/divisions/${id}/users`,
    expected: DIVISION_ROUTES_EXPECTED,
    check200: (text, what) => {
      parseBody(divisionUsersPayloadSchema, text, what);
    },
  },
  {
    name: "GET /api/divisions/{id}/users (NDJSON)",
    method: "GET",
    path: (id) => `/api/divisions/${id}/users`,
    headers: { accept: "application/x-ndjson" },
    expected: DIVISION_ROUTES_EXPECTED,
    check200: lastLineIsResult,
  },
  {
    name: "POST /api/divisions/{id}/users (forced refresh)",
    method: "POST",
    path: (id) => `/api/divisions/${id}/users`,
    expected: DIVISION_ROUTES_EXPECTED,
    check200: (text, what) => {
      parseBody(divisionUsersPayloadSchema, text, what);
    },
  },
  { name: "GET /api/divisions/{id}/users.csv", method: "GET", path: (id) => `/api/divisions/${id}/users.csv?q=&state=any&sort=-name`, expected: DIVISION_ROUTES_EXPECTED },
  {
    name: "POST /api/diagnostics/divisions/{id}/test",
    method: "POST",
    path: (id) => `/api/diagnostics/divisions/${id}/test`,
    expected: DIAGNOSTICS_TEST_EXPECTED,
    check200: (text, what) => {
      parseBody(divisionTestSchema, text, what);
    },
  },
];

function cellOf(res: TextResponse): string {
  if (res.status === 200) return "200";
  return `${res.status} ${errorCode(res.text) ?? "(no error code)"}`;
}

describe("authorization matrix", () => {
  let stack: Stack;
  let app: string;
  let truth: GroundTruth;
  let jars: Record<Account, CookieJar>;

  const jarOf = (caller: Caller): CookieJar | null => (caller === "signedOut" ? null : jars[caller]);

  function expectNoForeignUsers(caller: Caller, what: string, body: string): void {
    expect(foreignUsersIn(body, VISIBLE[caller], truth), `${what} as ${caller} names users outside their divisions`).toEqual([]);
  }

  beforeAll(async () => {
    // Forced refreshes (POST …/users) as often as the matrix sends them.
    stack = await startHttpStack(APP_PORT, { FORCE_REFRESH_MIN_INTERVAL_SECONDS: "0" });
    app = stack.appUrl;
    truth = await loadGroundTruth(stack);
    jars = await signInAll(app);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  for (const route of ROUTES) {
    test(`${route.name}: every caller × division answers the expected status and leaks no user`, async () => {
      const actual = {} as Record<Caller, Record<Target, string>>;
      for (const caller of CALLERS) {
        actual[caller] = {} as Record<Target, string>;
        for (const target of TARGETS) {
          const res = await sendText(`${app}${route.path(TARGET_IDS[caller][target])}`, {
            method: route.method,
            jar: jarOf(caller),
            ...(route.headers ? { headers: route.headers } : {}),
          });
          actual[caller][target] = cellOf(res);
          expectNoForeignUsers(caller, `${route.name} on ${target}`, res.text);
          const what = `${route.name} ${caller}/${target}`;
          if (res.status !== 200) {
            expect(res.headers.get("content-type"), what).toMatch(/^application\/json/);
            errorOf(res.text, what);
          } else route.check200?.(res.text, what);
        }
      }
      // One comparison of the whole table, so a failure shows every wrong cell at once.
      expect(actual).toEqual(route.expected);
    });
  }

  test("200 bodies hold the caller's division and exactly its users", async () => {
    for (const caller of ACCOUNTS) {
      const id = TARGET_IDS[caller].own;
      if (DIVISION_ROUTES_EXPECTED[caller].own !== "200") continue;
      const members = truth.members.get(id);
      const detail = parseBody(divisionDetailSchema, (await sendText(`${app}/api/divisions/${id}`, { jar: jars[caller] })).text);
      expect(detail.division.id).toBe(id);
      expect(detail.access.role).toBe(caller === "admin" ? "admin" : "manager");
      const users = parseBody(divisionUsersPayloadSchema, (await sendText(`${app}/api/divisions/${id}/users`, { jar: jars[caller] })).text);
      expect(new Set(users.users.map((u) => u.id))).toEqual(members);
      expect(users.division.id).toBe(id);
    }
  });

  test("the diagnostics division test reports, for an admin, unknown and unreachable divisions as failures", async () => {
    const post = (id: string) => sendText(`${app}/api/diagnostics/divisions/${id}/test`, { method: "POST", jar: jars.admin });
    const ok = parseBody(divisionTestSchema, (await post(D.acme)).text);
    expect(ok).toMatchObject({ ok: true, users: truth.members.get(D.acme)?.size });
    const unknown = parseBody(divisionTestSchema, (await post(UNKNOWN_ID)).text);
    expect(unknown).toMatchObject({ ok: false, failure: { code: "not_found" } });
    const stark = parseBody(divisionTestSchema, (await post(D.stark)).text);
    expect(stark).toMatchObject({ ok: false, failure: { code: "upstream_forbidden" } });
  });

  test("GET /api/divisions lists exactly the divisions each account may open", async () => {
    const expected: Record<Caller, readonly string[] | 401> = {
      signedOut: 401,
      ana: [D.acme],
      ben: [D.globex, D.initech],
      noAccess: [],
      admin: Object.values(D),
    };
    for (const caller of CALLERS) {
      const res = await sendText(`${app}/api/divisions`, { jar: jarOf(caller) });
      expectNoForeignUsers(caller, "GET /api/divisions", res.text);
      const want = expected[caller];
      if (want === 401) {
        expect(res.status, caller).toBe(401);
        expect(errorCode(res.text)).toBe("unauthenticated");
        continue;
      }
      expect(res.status, caller).toBe(200);
      const body = parseBody(divisionsListSchema, res.text, `GET /api/divisions as ${caller}`);
      expect(body.divisions.map((d) => d.id).sort(), caller).toEqual([...want].sort());
      // Sorted by name for display.
      const names = body.divisions.map((d) => d.name);
      expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, "en")));
      for (const d of body.divisions) expect(d.reachable, `${caller}: ${d.name}`).toBe(d.id !== D.stark);
    }
  });

  test("GET /api/health answers signed out and names no client, secret or user", async () => {
    for (const caller of CALLERS) {
      const res = await sendText(`${app}/api/health`, { jar: jarOf(caller) });
      expect(res.status, caller).toBe(200);
      // The whole body: readiness and nothing else.
      expect(JSON.parse(res.text)).toEqual({ status: "ok", checks: { config: "ok", upstreamToken: "ok", sharedStore: "off" } });
      for (const secret of [DEMO.clients.bff.id, DEMO.clients.bff.secret, DEMO.clients.staffLogin.id, DEMO.clients.staffLogin.secret, DEMO.orgId]) {
        expect(res.text).not.toContain(secret);
      }
      expect(foreignUsersIn(res.text, [], truth)).toEqual([]);
      for (const id of Object.values(D)) expect(res.text).not.toContain(id);
    }
  });

  test("GET /api/diagnostics: 401 signed out, 403 for managers, 200 for the admin with Stark Retail flagged", async () => {
    const expected: Record<Caller, Cell> = {
      signedOut: "401 unauthenticated",
      ana: "403 forbidden",
      ben: "403 forbidden",
      noAccess: "403 forbidden",
      admin: "200",
    };
    const actual = {} as Record<Caller, string>;
    let adminBody = "";
    for (const caller of CALLERS) {
      const res = await sendText(`${app}/api/diagnostics`, { jar: jarOf(caller) });
      actual[caller] = cellOf(res);
      expectNoForeignUsers(caller, "GET /api/diagnostics", res.text);
      expect(res.text).not.toContain(DEMO.clients.bff.secret);
      if (caller === "admin") adminBody = res.text;
    }
    expect(actual).toEqual(expected);

    const diagnostics = parseBody(diagnosticsSchema, adminBody, "GET /api/diagnostics as admin");
    expect(diagnostics.token.ok).toBe(true);
    expect(diagnostics.divisions.ok).toBe(false);
    const rows = diagnostics.divisions.value ?? [];
    expect(rows.map((r) => r.id).sort()).toEqual(Object.values(D).sort());
    const stark = rows.find((r) => r.id === D.stark);
    expect(stark).toMatchObject({ name: "Stark Retail", hasDirectoryUserView: false });
    expect(stark?.correlationId).toMatch(/\S{8,}/);
    for (const row of rows.filter((r) => r.id !== D.stark)) expect(row.hasDirectoryUserView, row.name).toBe(true);
  });

  test("a malformed id or an unknown query parameter is 400 before any session check", async () => {
    // The routes validate the query and the id's syntax before they require a session (lib/server/divisions/access-gate.ts).
    const cases: { path: string; method?: string; jar: Caller }[] = [
      { path: `/api/divisions/${MALFORMED_ID}`, jar: "signedOut" },
      { path: `/api/divisions/${MALFORMED_ID}/users`, jar: "signedOut" },
      { path: `/api/divisions/${MALFORMED_ID}/users.csv`, jar: "signedOut" },
      { path: `/api/diagnostics/divisions/${MALFORMED_ID}/test`, method: "POST", jar: "signedOut" },
      { path: `/api/diagnostics/divisions/${MALFORMED_ID}/test`, method: "POST", jar: "ana" },
      { path: `/api/divisions/${D.acme}?extra=1`, jar: "signedOut" },
      { path: `/api/divisions/${D.acme}/users?refresh=yes`, jar: "signedOut" },
      { path: `/api/divisions/${D.stark}/users.csv?format=xlsx`, jar: "signedOut" },
      { path: `/api/divisions?page=2`, jar: "signedOut" },
      { path: `/api/diagnostics?verbose=1`, jar: "signedOut" },
      { path: `/api/diagnostics?verbose=1`, jar: "ben" },
      { path: `/api/diagnostics/divisions/${D.acme}/test?x=1`, method: "POST", jar: "signedOut" },
      // An id the caller may not see, with a bad query: still 400, so the answer tells nothing about the division.
      { path: `/api/divisions/${D.globex}/users?refresh=2`, jar: "ana" },
    ];
    for (const c of cases) {
      const res = await sendText(`${app}${c.path}`, { method: c.method ?? "GET", jar: jarOf(c.jar) });
      expect(cellOf(res), `${c.method ?? "GET"} ${c.path} as ${c.jar}`).toBe("400 bad_request");
    }
  });

  test("the CSV view's values (q, state, sort) are checked after the gate: no session or no access wins", async () => {
    // Unknown keys are refused up front; the values of known keys only once the caller may see the division.
    const cases: { path: string; jar: Caller; cell: Cell }[] = [
      { path: `/api/divisions/${D.acme}/users.csv?sort=password`, jar: "signedOut", cell: "401 unauthenticated" },
      { path: `/api/divisions/${UNKNOWN_ID}/users.csv?sort=password`, jar: "noAccess", cell: "403 forbidden" },
      { path: `/api/divisions/${D.globex}/users.csv?state=deleted`, jar: "ana", cell: "403 forbidden" },
      { path: `/api/divisions/${D.acme}/users.csv?state=deleted`, jar: "ana", cell: "400 bad_request" },
      { path: `/api/divisions/${D.acme}/users.csv?sort=password`, jar: "admin", cell: "400 bad_request" },
    ];
    for (const c of cases) {
      const res = await sendText(`${app}${c.path}`, { jar: jarOf(c.jar) });
      expect(cellOf(res), `${c.path} as ${c.jar}`).toBe(c.cell);
    }
  });
  test("a manager cannot tell a division they may not see from one that does not exist: same status, same bytes, no name", async () => {
    for (const caller of ["ana", "ben", "noAccess"] as const) {
      for (const path of [(id: string) => `/api/divisions/${id}`, (id: string) => `/api/divisions/${id}/users`, (id: string) => `/api/divisions/${id}/users.csv`]) {
        const bodies = new Set<string>();
        for (const target of ["other", "unknown", "stark"] as const) {
          const res = await sendText(`${app}${path(TARGET_IDS[caller][target])}`, { jar: jars[caller] });
          expect(res.status, `${caller} ${target}`).toBe(403);
          bodies.add(res.text);
          for (const name of ["Globex", "Acme", "Stark", "Initech", "Umbrella"]) expect(res.text, `${caller} ${target}`).not.toContain(name);
        }
        expect([...bodies], `${caller}: ${path("{id}")}`).toHaveLength(1);
      }
    }
  });

  test("division pages answer the real status before anything streams, and a manager's 403 page names nothing", async () => {
    const expected: Record<Caller, Record<Target, number>> = {
      signedOut: { own: 307, other: 307, unknown: 307, malformed: 307, stark: 307 },
      ana: { own: 200, other: 403, unknown: 403, malformed: 404, stark: 403 },
      ben: { own: 200, other: 403, unknown: 403, malformed: 404, stark: 403 },
      noAccess: { own: 403, other: 403, unknown: 403, malformed: 404, stark: 403 },
      admin: { own: 200, other: 200, unknown: 404, malformed: 404, stark: 403 },
    };
    const actual = {} as Record<Caller, Record<Target, number>>;
    for (const caller of CALLERS) {
      actual[caller] = {} as Record<Target, number>;
      const panels = new Set<string>();
      for (const target of TARGETS) {
        const res = await sendText(`${app}/divisions/${TARGET_IDS[caller][target]}`, { jar: jarOf(caller) });
        actual[caller][target] = res.status;
        // The page's header names the signed-in person, who may sit in a division they cannot view.
        const own = caller === "signedOut" ? "" : DEMO.staff[caller].email;
        expectNoForeignUsers(caller, `page ${target}`, own ? res.text.replaceAll(own, "") : res.text);
        if (res.status !== 403 || caller === "admin") continue;
        // The panel a manager reads: the same for every refused id, and without any division's name.
        const panel = /403 · No access[\s\S]*?Back to your divisions/.exec(res.text)?.[0] ?? "";
        expect(panel, `${caller} ${target}`).not.toBe("");
        panels.add(panel);
        for (const name of ["Globex", "Stark", "Initech", "Umbrella", "Acme"]) expect(panel, `${caller} ${target}`).not.toContain(name);
      }
      if (caller !== "admin" && caller !== "signedOut") expect(panels.size, caller).toBe(1);
    }
    expect(actual).toEqual(expected);
    // The admin's 403 says what to fix, by name.
    const stark = await sendText(`${app}/divisions/${D.stark}`, { jar: jars.admin });
    expect(stark.text).toContain("Stark Retail");
    expect(stark.text).toContain("directory:user:view");
  });

  test("the admin pages answer 403 to managers and 200 to the admin", async () => {
    for (const path of ["/diagnostics", "/audit", "/access", `/access?person=${DEMO.staff.ben.id}&division=${D.umbrella}`]) {
      for (const caller of ["ana", "ben", "noAccess"] as const) {
        const res = await sendText(`${app}${path}`, { jar: jars[caller] });
        expect(res.status, `${path} as ${caller}`).toBe(403);
        expect(res.text).toContain("403 · Admins only");
      }
      expect((await sendText(`${app}${path}`, { jar: jars.admin })).status, path).toBe(200);
    }
  });

  test("state-changing requests from another origin, even of the same site, are refused before anything runs", async () => {
    const own = new URL(app).origin;
    const other = `http://tenant.${new URL(app).hostname}:${new URL(app).port}`;
    const refresh = `${app}/api/divisions/${D.acme}/users`;
    const diagnosticsTest = `${app}/api/diagnostics/divisions/${D.acme}/test`;
    const crossSite: Record<string, string>[] = [
      { origin: other, "sec-fetch-site": "same-site" },
      { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      { origin: other },
      { "sec-fetch-site": "same-site" },
      { origin: "null" },
    ];
    const searchesBefore = operationCount(stack, ["postUsersSearch", "getUsers"]);
    for (const headers of crossSite) {
      for (const [url, jar] of [[refresh, jars.ana], [diagnosticsTest, jars.admin]] as const) {
        const res = await sendText(url, { method: "POST", jar, headers });
        expect(cellOf(res), `${url.slice(app.length)} ${JSON.stringify(headers)}`).toBe("403 forbidden");
        expect(JSON.parse(res.text).error.reason).toBe("cross_origin");
      }
    }
    expect(operationCount(stack, ["postUsersSearch", "getUsers"]), "no refused request reached Genesys").toBe(searchesBefore);
    // The same requests from the app's own pages go through; a GET no longer refreshes at all.
    const same = { origin: own, "sec-fetch-site": "same-origin" };
    expect(cellOf(await sendText(refresh, { method: "POST", jar: jars.ana, headers: same }))).toBe("200");
    expect(cellOf(await sendText(diagnosticsTest, { method: "POST", jar: jars.admin, headers: same }))).toBe("200");
    expect(cellOf(await sendText(`${refresh}?refresh=1`, { jar: jars.ana }))).toBe("400 bad_request");
  });
});
