import { afterEach, describe, expect, it, vi } from "vitest";
import type * as z from "zod/mini";

import { ApiError, getJson, readError } from "@/lib/client/api";
import { DEFAULT_VIEW, sortRows } from "@/lib/shared/user-view";
import { fetchDivisionUsers } from "@/lib/client/division-users";
import type { AuditEvent } from "@/lib/server/audit/store";
import { AuditStore } from "@/lib/server/audit/store";
import type { AuthorizedDivision } from "@/lib/server/divisions/authorized";
import type { CachedResult, Freshness } from "@/lib/server/divisions/cache";
import { payloadJson, rowsLine, toPayload, type PayloadParts } from "@/lib/server/divisions/dto";
import { ndjsonResponse } from "@/lib/server/http/responses";
import type { DropReason } from "@/lib/server/divisions/fetch";
import type { IsolationMode } from "@/lib/server/platform/env";
import { AppError, ERROR_CODES, toErrorResponse } from "@/lib/server/platform/errors";
import type { StaffAccess } from "@/lib/server/staff/staff-types";
import {
  AUDIT_ACTION_LABELS,
  AUDIT_ACTIONS,
  auditIntegritySchema,
  auditPageSchema,
  diagnosticsSchema,
  divisionDetailSchema,
  divisionsListSchema,
  divisionTestSchema,
  decodeUsers,
  divisionUsersPayloadSchema,
  DROP_REASONS,
  encodeUsers,
  usersTableSchema,
  type DivisionUsersWire,
  errorBodySchema,
  FRESHNESS,
  ISOLATION_MODES,
  usersStreamLineSchema,
  type Diagnostics,
} from "@/lib/shared/contract";

// The contract accepts what the server code really builds and rejects bodies that drifted from it; the
// browser turns a body that does not fit into an ApiError instead of trusting it.

// The server's own unions that the contract repeats as enums: a difference either way fails `tsc`.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameIsolationModes: Same<IsolationMode, (typeof ISOLATION_MODES)[number]> = true;
const _sameDropReasons: Same<DropReason, (typeof DROP_REASONS)[number]> = true;
const _sameFreshness: Same<Freshness, (typeof FRESHNESS)[number]> = true;

const DIVISION_ID = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";

function staff(isAdmin: boolean): StaffAccess {
  return { userId: "u-1", email: "ana@northwind.example", name: "Ana", isAdmin, divisionIds: new Set([DIVISION_ID]), checkedAt: 0 };
}

// toPayload reads only the id; the brand is what access-gate.ts adds after its checks.
const division = { id: DIVISION_ID, name: "Acme", description: "", homeDivision: false, userCount: 2, reachable: true } as AuthorizedDivision;

function cached(over: Partial<CachedResult> = {}): CachedResult {
  return {
    value: {
      division: { id: DIVISION_ID, name: "Acme" },
      users: [
        { id: "u-b", name: "Bob", email: "bob@acme.example", username: "bob", title: "", department: "", state: "inactive", divisionId: DIVISION_ID, divisionName: "Acme" },
        { id: "u-a", name: "Ann", email: "ann@acme.example", username: "ann", title: "Agent", department: "Claims", state: "active", divisionId: DIVISION_ID, divisionName: "Acme" },
      ],
      meta: {
        strategy: "search",
        plan: "test",
        fetchedAt: "2026-11-30T10:00:00.000Z",
        durationMs: 812,
        searchPages: 1,
        upstreamCalls: 3,
        partitions: 1,
        attempts: 1,
        consistent: true,
        consistencyNotes: ["a note for admins"],
        isolation: {
          mode: "verify",
          checked: 3,
          verified: 2,
          dropped: [{ id: "u-x", reason: "search-division-mismatch", searchDivisionId: DIVISION_ID }],
          addedFromDirectory: 0,
          objectCount: 2,
          countMatches: true,
        },
      },
    },
    freshness: "fresh",
    ageMs: 4_400,
    revalidating: false,
    ...over,
  };
}

function payload(isAdmin = false): PayloadParts {
  return toPayload(division, cached(), staff(isAdmin));
}

/** The body as it goes over the wire (users as the compact table). */
function wire(body: PayloadParts): DivisionUsersWire {
  return JSON.parse(payloadJson(body)) as DivisionUsersWire;
}

function accepts(schema: z.ZodMiniType, value: unknown): void {
  const result = schema.safeParse(value);
  expect(result.success, result.success ? "" : JSON.stringify(result.error.issues)).toBe(true);
}

function rejects(schema: z.ZodMiniType, value: unknown): void {
  expect(schema.safeParse(value).success).toBe(false);
}

describe("error bodies", () => {
  it("accepts what toErrorResponse makes of every code, with details, and of an unknown throw", () => {
    for (const code of ERROR_CODES) accepts(errorBodySchema, toErrorResponse(new AppError(code, `about ${code}`)).body);
    accepts(
      errorBodySchema,
      toErrorResponse(new AppError("upstream_forbidden", "No permission.", { details: { divisionId: DIVISION_ID, divisionName: "Acme", permission: "directory:user:view", reason: "bff_not_granted", correlationId: "c-1" } })).body,
    );
    accepts(errorBodySchema, toErrorResponse(new AppError("upstream_rate_limited", "Busy.", { details: { retryAfterSeconds: 5, upstreamStatus: 429 } })).body);
    accepts(errorBodySchema, toErrorResponse(new Error("boom")).body);
    // The custom server's own envelope (server/index.mjs).
    accepts(errorBodySchema, { error: { code: "overloaded", message: "Tenantscope is busy right now." } });
  });

  it("rejects a body without a message or code, with a mistyped detail, or with fields beside `error`", () => {
    rejects(errorBodySchema, { error: { code: "forbidden" } });
    rejects(errorBodySchema, { error: { code: "", message: "x" } });
    rejects(errorBodySchema, { error: { code: "forbidden", message: "x", correlationId: 7 } });
    rejects(errorBodySchema, { error: { code: "forbidden", message: "x" }, status: 403 });
    rejects(errorBodySchema, { message: "Request failed" });
  });
});

describe("the users payload", () => {
  it("accepts payloadJson's text of toPayload's body for a manager and an admin, and decodes its users to the table's rows", () => {
    for (const isAdmin of [false, true]) {
      const body = payload(isAdmin);
      const parsed = divisionUsersPayloadSchema.parse(wire(body));
      // In the table's default order: the browser then finds them sorted.
      const expected = sortRows(body.users, DEFAULT_VIEW).map(({ id, name, email, title, department, state }) => ({ id, name, email, title, department, state }));
      expect(parsed.users).toEqual(expected);
      expect(parsed.users.map((u) => u.name)).toEqual(["Ann", "Bob"]);
    }
    const stale = toPayload(division, cached({ freshness: "stale", revalidating: true, refreshError: new AppError("upstream_unavailable", "Down.", { details: { correlationId: "c-9" } }) }), staff(true));
    accepts(divisionUsersPayloadSchema, wire(stale));
  });

  it("sends each title and department once, and no username, division or key name per user", () => {
    const users = Array.from({ length: 50 }, (_, i) => ({ id: `u-${i}`, name: `N ${i}`, email: `n${i}@x.example`, title: i % 2 ? "Agent" : "Lead", department: "Claims", state: i % 3 ? "active" : "inactive" }) as const);
    const table = encodeUsers(users);
    expect(table.titles).toEqual(["Lead", "Agent"]);
    expect(table.departments).toEqual(["Claims"]);
    expect(table.rows[1]).toEqual(["u-1", "N 1", "n1@x.example", 1, 0, 1]);
    expect(decodeUsers(usersTableSchema.parse(table))).toEqual(users);
  });

  it("is all ASCII on the wire, as JSON and as NDJSON lines, and reads back to the same names", async () => {
    const names = ["José Müller", "王芳", "Zoë 👩‍💻", "Ωmega \u2028 line", 'quote " and \\ slash', "lone \ud800 surrogate"];
    const base = cached();
    const [first] = base.value.users;
    if (!first) throw new Error("no user");
    const users = names.map((name, i) => ({ ...first, id: `u-${i}`, name, title: `Título ${i}`, department: "Küche" }));
    const body = toPayload(division, cached({ value: { ...base.value, division: { id: DIVISION_ID, name: "Santé" }, users } }), staff(true));
    const text = payloadJson(body, { type: "result" });
    expect(text).toMatch(/^[\x00-\x7f]*$/);
    const parsed = usersStreamLineSchema.parse(JSON.parse(text));
    if (parsed.type !== "result") throw new Error("not a result line");
    expect(parsed.users.map((u) => u.name).sort()).toEqual([...names].sort());
    expect(new Set(parsed.users.map((u) => `${u.title}/${u.department}`))).toEqual(new Set(names.map((_, i) => `Título ${i}/Küche`)));

    // The NDJSON lines the route writes go through the same escaping.
    const response = await ndjsonResponse(async (send) => send(rowsLine({ users, verified: users.length, expected: users.length })), { line: () => "" }, () => undefined);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(bytes.every((b) => b < 0x80)).toBe(true);
    const line = usersStreamLineSchema.parse(JSON.parse(new TextDecoder().decode(bytes).split("\n")[0] ?? ""));
    expect(line.type === "rows" && line.users.map((u) => u.name)).toEqual(names);
  });

  it("rejects a missing field, an unknown enum value, an unknown field and a table that does not add up", () => {
    const p = wire(payload());
    const row = p.users.rows[0];
    if (!row) throw new Error("no row");
    const { freshness: _freshness, ...cacheWithoutFreshness } = p.cache;
    rejects(divisionUsersPayloadSchema, { ...p, cache: cacheWithoutFreshness });
    rejects(divisionUsersPayloadSchema, { ...p, cache: { ...p.cache, freshness: "warm" } });
    rejects(divisionUsersPayloadSchema, { ...p, users: { ...p.users, rows: [[...row.slice(0, 5), 2]] } });
    rejects(divisionUsersPayloadSchema, { ...p, users: { ...p.users, rows: [[...row, "hunter2"]] } });
    rejects(divisionUsersPayloadSchema, { ...p, users: { ...p.users, rows: [[row[0], row[1], row[2], p.users.titles.length, 0, 1]] } });
    rejects(divisionUsersPayloadSchema, { ...p, users: { ...p.users, password: [] } });
    // The rows are checked by one loop, not per-element schemas: each way a row can be wrong is refused.
    for (const bad of [["", row[1], row[2], 0, 0, 1], [row[0], 7, row[2], 0, 0, 1], [row[0], row[1], null, 0, 0, 1], [row[0], row[1], row[2], -1, 0, 1], [row[0], row[1], row[2], 0.5, 0, 1], [row[0], row[1], row[2], 0, p.users.departments.length, 1], [row[0], row[1], row[2], 0, 0, true], { 0: row[0] }, row[0]]) {
      rejects(divisionUsersPayloadSchema, { ...p, users: { ...p.users, rows: [row, bad] } });
    }
    rejects(divisionUsersPayloadSchema, { ...p, users: { ...p.users, rows: { length: 0 } } });
    rejects(divisionUsersPayloadSchema, { ...p, meta: { ...p.meta, isolation: { ...p.meta.isolation, mode: "trust" } } });
  });
});

describe("the users NDJSON lines", () => {
  it("accepts a progress line, payloadJson's result line and the error line the route sends", () => {
    accepts(usersStreamLineSchema, { type: "progress", phase: "searching", pagesDone: 3, pagesTotal: 10, rows: 300, expected: 1000 });
    const result = usersStreamLineSchema.parse(JSON.parse(payloadJson(payload(), { type: "result" })));
    expect(result.type).toBe("result");
    const { status, body } = toErrorResponse(new AppError("upstream_timeout", "Too slow."));
    accepts(usersStreamLineSchema, { type: "error", status, ...body });
  });

  it("rejects an unknown type or phase and an error line without its status", () => {
    rejects(usersStreamLineSchema, { type: "done" });
    rejects(usersStreamLineSchema, { type: "progress", phase: "paging", pagesDone: 0, pagesTotal: 0, rows: 0, expected: null });
    rejects(usersStreamLineSchema, { type: "error", error: { code: "internal", message: "x" } });
    rejects(usersStreamLineSchema, { ...wire(payload()), type: "payload" });
  });
});

describe("divisions", () => {
  const summary = { id: DIVISION_ID, name: "Acme", description: "Insurance", userCount: 2, reachable: true };

  it("accepts the list and the detail bodies", () => {
    accepts(divisionsListSchema, { divisions: [summary, { ...summary, userCount: null, reachable: false }] });
    accepts(divisionDetailSchema, { division: { id: DIVISION_ID, name: "Acme", description: "", userCount: null }, access: { canView: true, role: "manager" } });
  });

  it("rejects a row without `reachable` and an unknown role", () => {
    const { reachable: _reachable, ...withoutReachable } = summary;
    rejects(divisionsListSchema, { divisions: [withoutReachable] });
    rejects(divisionDetailSchema, { division: { id: DIVISION_ID, name: "Acme", description: "", userCount: 1 }, access: { canView: true, role: "owner" } });
  });
});

describe("diagnostics", () => {
  const body: Diagnostics = {
    ranAt: "2026-11-30T10:00:00.000Z",
    config: { region: "us-east-1", loginHost: "login.example", apiHost: "api.example", gateway: true, clientIdPresent: true, clientIdHint: "abcdefgh…", isolationMode: "verify" },
    token: { ok: true, value: { obtained: true } },
    tokenInfo: { ok: true, value: { organization: "Northwind", clientName: "Tenantscope", grantType: "CLIENT-CREDENTIALS" } },
    grants: { ok: false, value: [{ roleId: "r-1", roleName: "r-1", divisionId: "*", divisionName: "All divisions", permissions: [] }], failure: { code: "upstream_forbidden", message: "No role view.", fix: ["Grant it."] } },
    divisions: { ok: true, value: [{ id: DIVISION_ID, name: "Acme", userCount: 2, hasDirectoryUserView: true, roles: ["Viewer"] }] },
  };

  it("accepts a run and a division test, passed or failed", () => {
    accepts(diagnosticsSchema, body);
    accepts(diagnosticsSchema, { ...body, tokenInfo: { ok: false, failure: { code: "skipped", message: "Skipped.", fix: [] } } });
    accepts(divisionTestSchema, { ok: true, divisionId: DIVISION_ID, divisionName: "Acme", users: 2, searchPages: 1, upstreamCalls: 3, durationMs: 40, isolation: { verified: 2, dropped: 0, objectCount: 2, countMatches: true } });
    accepts(divisionTestSchema, { ok: false, divisionId: DIVISION_ID, failure: { code: "not_found", message: "No such division.", fix: [] } });
  });

  it("rejects an unknown isolation mode and a failure without its fix list", () => {
    rejects(diagnosticsSchema, { ...body, config: { ...body.config, isolationMode: "trust" } });
    rejects(divisionTestSchema, { ok: false, divisionId: DIVISION_ID, failure: { code: "not_found", message: "x" } });
  });
});

describe("the audit trail", () => {
  it("has a label for every action", () => {
    expect(Object.keys(AUDIT_ACTION_LABELS).sort()).toEqual([...AUDIT_ACTIONS].sort());
  });

  it("accepts the page and the integrity check the store produces", () => {
    const store = new AuditStore(":memory:", 30);
    const actor: AuditEvent["actor"] = { id: "u-1", email: "ana@northwind.example", name: "Ana", role: "manager" };
    for (const action of AUDIT_ACTIONS) store.append({ action, actor, outcome: "ok", at: "2026-11-30T10:00:00.000Z", requestId: "r-1" });
    store.append({
      action: "division.view",
      actor: null,
      divisionId: DIVISION_ID,
      divisionName: "Acme",
      rows: 2,
      isolation: { checked: 2, verified: 2, dropped: 0, countMatches: true, consistent: true },
      outcome: "denied",
      code: "unauthenticated",
      at: "2026-11-30T11:00:00.000Z",
    });
    store.append({ action: "division.export", actor: { id: "cli", email: "", role: "operator" }, outcome: "error", code: "client_aborted", at: "2026-11-30T12:00:00.000Z" });
    accepts(auditPageSchema, JSON.parse(JSON.stringify(store.query({ limit: 3 }))));
    accepts(auditIntegritySchema, store.verify());
    store.close();
  });

  it("rejects an unknown action or outcome", () => {
    const event = { id: 1, at: "2026-11-30T10:00:00.000Z", action: "division.view", outcome: "ok", actor: null };
    accepts(auditPageSchema, { events: [event], nextBefore: null });
    rejects(auditPageSchema, { events: [{ ...event, action: "division.delete" }], nextBefore: null });
    rejects(auditPageSchema, { events: [{ ...event, outcome: "maybe" }], nextBefore: null });
    rejects(auditIntegritySchema, { ok: true });
  });
});

describe("the browser's reading", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  function serve(...responses: Response[]): void {
    vi.stubGlobal("fetch", vi.fn(async () => responses.shift() ?? new Response(null, { status: 599 })));
  }

  async function failure(promise: Promise<unknown>): Promise<ApiError> {
    const e = await promise.then(
      () => undefined,
      (err: unknown) => err,
    );
    if (!(e instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(e)}`);
    return e;
  }

  it("getJson returns a body that fits its schema and turns one that does not into a 502", async () => {
    const list = { divisions: [{ id: DIVISION_ID, name: "Acme", description: "", userCount: 1, reachable: true }] };
    serve(Response.json(list), Response.json({ divisions: [{ id: DIVISION_ID }] }), new Response("<html>", { status: 200 }));
    expect(await getJson("/api/divisions", (c) => c.divisionsListSchema)).toEqual(list);
    for (let i = 0; i < 2; i++) {
      const e = await failure(getJson("/api/divisions", (c) => c.divisionsListSchema));
      expect([e.status, e.code, e.message]).toEqual([502, "upstream_bad_response", "The server sent a response the page could not read."]);
    }
  });

  it("readError keeps a valid error body and falls back on the status for anything else", async () => {
    const e = await readError(Response.json({ error: { code: "forbidden", message: "Not yours.", divisionName: "Acme" } }, { status: 403 }));
    expect([e.status, e.code, e.message, e.body.divisionName]).toEqual([403, "forbidden", "Not yours.", "Acme"]);
    expect((await readError(Response.json({ error: { code: 7 } }, { status: 500 }))).code).toBe("internal");
    expect((await readError(new Response("Unauthorized", { status: 401 }))).code).toBe("unauthenticated");
  });

  function ndjson(...lines: string[]): Response {
    return new Response(lines.map((l) => `${l}\n`).join(""), { headers: { "Content-Type": "application/x-ndjson" } });
  }

  it("fetchDivisionUsers reads progress lines, then returns the result line's payload", async () => {
    const body = payload();
    serve(ndjson(JSON.stringify({ type: "progress", phase: "starting", pagesDone: 0, pagesTotal: 0, rows: 0, expected: null }), payloadJson(body, { type: "result" })));
    expect(await fetchDivisionUsers(DIVISION_ID)).toEqual(divisionUsersPayloadSchema.parse(wire(body)));
  });

  it("fetchDivisionUsers reads a plain JSON answer, and revalidates the copy it holds with its ETag (304: the same object)", async () => {
    const body = payloadJson(payload());
    const requests: RequestInit[] = [];
    const answers = [
      new Response(body, { headers: { "Content-Type": "application/json", ETag: '"abc.def.br"' } }),
      new Response(null, { status: 304, headers: { ETag: '"abc.def.br"' } }),
      new Response(body, { headers: { "Content-Type": "application/json" } }),
    ];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_url: string, init: RequestInit) => {
        requests.push(init);
        return answers.shift() ?? new Response(null, { status: 599 });
      }),
    );
    const first = await fetchDivisionUsers(DIVISION_ID);
    expect(first).toEqual(divisionUsersPayloadSchema.parse(JSON.parse(body)));
    const again = await fetchDivisionUsers(DIVISION_ID, { current: first });
    expect(again).toBe(first);
    expect(new Headers(requests[0]?.headers).get("if-none-match")).toBeNull();
    expect(new Headers(requests[1]?.headers).get("if-none-match")).toBe('"abc.def.br"');
    expect(requests[1]?.cache).toBe("no-store");
    // A forced refresh never asks "unchanged?": it wants a new fetch.
    expect(await fetchDivisionUsers(DIVISION_ID, { current: first, refresh: true })).not.toBe(first);
    expect(requests[2]?.method).toBe("POST");
    expect(new Headers(requests[2]?.headers).get("if-none-match")).toBeNull();
  });

  it("fetchDivisionUsers throws an error line as its ApiError, and a line that does not fit as a 502", async () => {
    serve(
      ndjson(JSON.stringify({ type: "error", status: 504, error: { code: "upstream_timeout", message: "Too slow." } })),
      ndjson(JSON.stringify({ type: "progress", phase: "paging" })),
      ndjson("{not json"),
    );
    const timeout = await failure(fetchDivisionUsers(DIVISION_ID));
    expect([timeout.status, timeout.code]).toEqual([504, "upstream_timeout"]);
    for (let i = 0; i < 2; i++) expect((await failure(fetchDivisionUsers(DIVISION_ID))).code).toBe("upstream_bad_response");
  });
});
