/**
 * Contract tests of the local Genesys Cloud emulator against the official spec subset (openapi-subset.json,
 * provenance in SOURCE.md): every one of the 18 operations, its success response and every error kind the
 * emulator can produce for it (401 ×4, 403, 404, 400s, 413, 429, 5xx), each validated with expectMatchesSpec,
 * plus the ININ-Correlation-Id / contextId rule, the x-inin-error-codes of the operation, and OAuth shapes.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO } from "../../emulator/seed";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { expectMatchesSpec, matchOperation, SPEC_FILE, specOperations } from "../support/contract";
import {
  authorizationCode,
  authorizePath,
  clientCredentialsToken,
  httpRequest,
  isRecord,
  pkcePair,
  readTokenResponse,
  signIn,
  tokenRequest,
  userToken,
  type HttpResult,
  type TokenResponse,
} from "../support/emulator-client";

const D = DEMO.divisions;
const R = DEMO.roles;
const C = DEMO.clients;
const S = DEMO.staff;
const REDIRECT = "http://localhost:3000/api/auth/callback/genesys";
const UNKNOWN_ID = "00000000-0000-4000-8000-00000000dead";

// ---------------------------------------------------------------------------------------------------------------
// Spec facts the schema validation does not cover: the error codes each operation documents per status.

const spec: unknown = JSON.parse(fs.readFileSync(SPEC_FILE, "utf8"));

function dig(node: unknown, keys: string[]): unknown {
  let cur = node;
  for (const k of keys) cur = isRecord(cur) ? cur[k] : undefined;
  return cur;
}

function documentedCodes(method: string, path: string, status: number): string[] {
  const op = matchOperation(method, path);
  if (!op) return [];
  const codes = dig(spec, ["paths", op.pathTemplate, method.toLowerCase(), "responses", String(status), "x-inin-error-codes"]);
  return isRecord(codes) ? Object.keys(codes) : [];
}

const FIVE_XX_CODES: Record<number, string> = { 500: "internal.server.error", 503: "service.unavailable", 504: "request.timeout" };

// ---------------------------------------------------------------------------------------------------------------
// Calling the emulator

type Who = "bff" | "misconfigured" | "ana" | "admin";

interface ApiCall {
  method: "GET" | "POST" | "DELETE";
  path: string;
  json?: unknown;
  rawJson?: string;
}

interface Want {
  status: number | readonly number[];
  code?: string;
}

let emu: RunningEmulator;
const tokens: Record<Who, string> = { bff: "", misconfigured: "", ana: "", admin: "" };
const refreshTokens: { ana: string } = { ana: "" };

const login = (username: string, pkce: boolean) => ({ client: C.staffLogin, redirectUri: REDIRECT, username, password: DEMO.password, pkce });

/** (Re-)issues the shared tokens: two client-credentials clients, ana by plain code grant, admin with PKCE. */
async function issueSharedTokens(base: string): Promise<void> {
  const [bff, misconfigured, ana, admin] = await Promise.all([
    clientCredentialsToken(base, C.bff),
    clientCredentialsToken(base, C.misconfigured),
    userToken(base, login(S.ana.email, false)),
    userToken(base, login(S.admin.email, true)),
  ]);
  tokens.bff = bff.access_token;
  tokens.misconfigured = misconfigured.access_token;
  tokens.ana = ana.access_token;
  tokens.admin = admin.access_token;
  refreshTokens.ana = ana.refresh_token ?? "";
}

/** Validates one API response: status, correlation header, spec schema and, for errors, the ErrorBody rules. */
function expectContract(c: ApiCall, res: HttpResult, want: Want): void {
  const ctx = `${c.method} ${c.path.slice(0, 160)} -> ${res.status} ${res.text.slice(0, 300)}`;
  const statuses = typeof want.status === "number" ? [want.status] : want.status;
  expect(statuses, ctx).toContain(res.status);
  const correlationId = res.headers.get("inin-correlation-id");
  expect(correlationId, `ININ-Correlation-Id missing: ${ctx}`).toMatch(/\S/);
  // A documented empty body (deleteTokensMe's 200) has no content type.
  if (res.text !== "") expect(res.headers.get("content-type") ?? "", ctx).toContain("application/json");
  expectMatchesSpec({ method: c.method, path: c.path, status: res.status, body: res.json });
  if (res.status < 400) return;
  const b = res.json;
  if (!isRecord(b)) throw new Error(`error body is not an object: ${ctx}`);
  expect(b.contextId, `contextId must equal ININ-Correlation-Id: ${ctx}`).toBe(correlationId);
  expect(b.status, ctx).toBe(res.status);
  expect(typeof b.message === "string" && b.message !== "", ctx).toBe(true);
  if (want.code !== undefined) expect(b.code, ctx).toBe(want.code);
  const fiveXx = FIVE_XX_CODES[res.status];
  if (want.code === undefined && fiveXx !== undefined) expect(b.code, ctx).toBe(fiveXx);
  expect(documentedCodes(c.method, c.path, res.status), `code ${String(b.code)} is not in x-inin-error-codes: ${ctx}`).toContain(b.code);
}

interface CallOptions {
  as?: Who;
  /** An explicit token (null: no Authorization header). Wins over `as`. */
  token?: string | null;
  base?: string;
}

async function call(c: ApiCall, want: Want, o: CallOptions = {}): Promise<HttpResult> {
  const token = o.token === undefined ? tokens[o.as ?? "bff"] : o.token;
  const res = await httpRequest(o.base ?? emu.url, c.path, {
    method: c.method,
    ...(token !== null ? { token } : {}),
    ...(c.json !== undefined ? { json: c.json } : {}),
    ...(c.rawJson !== undefined ? { rawJson: c.rawJson } : {}),
  });
  expectContract(c, res, want);
  return res;
}

const get = (path: string): ApiCall => ({ method: "GET", path });
const post = (path: string, json: unknown): ApiCall => ({ method: "POST", path, json });
const del = (path: string): ApiCall => ({ method: "DELETE", path });

// Narrow views of bodies that expectMatchesSpec has already validated.
interface UserView {
  id: string;
  division: { id: string };
}
interface SearchView {
  total: number;
  pageCount: number;
  pageNumber: number;
  pageSize: number;
  results?: UserView[];
  currentPage?: string;
  nextPage?: string;
  previousPage?: string;
}
interface DivisionView {
  id: string;
  homeDivision?: boolean;
  objectCounts?: Record<string, number>;
}
interface ListingView<T> {
  entities?: T[];
  total?: number;
  pageCount?: number;
}
interface PermittedView extends ListingView<DivisionView> {
  allDivsPermitted?: boolean;
}
interface TokenInfoView {
  OAuthClient?: { id?: string; roleDivisions?: { roleId?: string; divisionId?: string }[] };
}
interface UserMeView extends UserView {
  organization?: { id?: string };
  token?: TokenInfoView;
}

/** A token for one call of an operation that consumes it (a fresh one of the same identity), else the shared one. */
async function tokenFor(c: OpCase): Promise<CallOptions> {
  if (!c.consumesToken) return { as: c.as };
  const fresh = c.as === "bff" || c.as === "misconfigured" ? await clientCredentialsToken(emu.url, C[c.as]) : await userToken(emu.url, login(S[c.as].email, false));
  return { token: fresh.access_token };
}

async function ok<T>(c: ApiCall, o: CallOptions = {}): Promise<T> {
  return (await call(c, { status: 200 }, o)).json as T;
}

async function groundTruth(divisionId: string): Promise<string[]> {
  const res = await httpRequest(emu.url, `/__emulator/divisions/${divisionId}/user-ids`);
  expect(res.status).toBe(200);
  expect(res.headers.get("inin-correlation-id")).toMatch(/\S/);
  if (!Array.isArray(res.json) || !res.json.every((x): x is string => typeof x === "string")) throw new Error(`bad ground truth: ${res.text}`);
  return res.json;
}

const acmeSearch = (pageNumber: number, pageSize = 10) => ({
  pageSize,
  pageNumber,
  sortOrder: "ASC",
  sortBy: "name",
  query: [{ type: "EXACT", fields: ["divisionId"], values: [D.acme] }],
});

/** A hand-made q64, for requests no emulator page link would contain. */
const q64 = (body: unknown) => `/api/v2/users/search?q64=${encodeURIComponent(Buffer.from(JSON.stringify(body), "utf8").toString("base64"))}`;

// ---------------------------------------------------------------------------------------------------------------
// One successful call per operation, with the token it needs

interface OpCase {
  op: string;
  as: Who;
  call: () => ApiCall;
  /** Its success revokes the token it was called with: it gets a token of its own, never the shared one. */
  consumesToken?: true;
}

/** The `nextPage` link of page 1 of the Acme search, captured in beforeAll (the q64 the emulator itself made). */
let acmeNextPage = "";

const OPS: OpCase[] = [
  { op: "getUsers", as: "bff", call: () => get("/api/v2/users?pageSize=5") },
  { op: "getUser", as: "bff", call: () => get(`/api/v2/users/${S.ana.id}`) },
  { op: "getUsersMe", as: "ana", call: () => get("/api/v2/users/me") },
  { op: "postUsersSearch", as: "bff", call: () => post("/api/v2/users/search", acmeSearch(1)) },
  { op: "getUsersSearch", as: "bff", call: () => get(acmeNextPage) },
  { op: "getAuthorizationDivisions", as: "bff", call: () => get("/api/v2/authorization/divisions?objectCount=true") },
  { op: "getAuthorizationDivision", as: "bff", call: () => get(`/api/v2/authorization/divisions/${D.acme}?objectCount=true`) },
  { op: "getAuthorizationDivisionsHome", as: "bff", call: () => get("/api/v2/authorization/divisions/home") },
  {
    op: "getAuthorizationDivisionspermittedPagedMe",
    as: "bff",
    call: () => get("/api/v2/authorization/divisionspermitted/paged/me?permission=directory:user:view"),
  },
  {
    op: "getAuthorizationDivisionspermittedPagedSubjectId",
    as: "bff",
    call: () => get(`/api/v2/authorization/divisionspermitted/paged/${S.ana.id}?permission=directory:user:view`),
  },
  { op: "getTokensMe", as: "bff", call: () => get("/api/v2/tokens/me") },
  { op: "deleteTokensMe", as: "ana", call: () => del("/api/v2/tokens/me"), consumesToken: true },
  { op: "getOauthClient", as: "bff", call: () => get(`/api/v2/oauth/clients/${C.bff.id}`) },
  { op: "getAuthorizationRole", as: "bff", call: () => get(`/api/v2/authorization/roles/${R.directoryViewer}`) },
  { op: "getAuthorizationRoles", as: "bff", call: () => get("/api/v2/authorization/roles?permission=directory:user:view&userCount=false&pageSize=100") },
  { op: "getAuthorizationRoleSubjectgrants", as: "bff", call: () => get(`/api/v2/authorization/roles/${R.directoryViewer}/subjectgrants?pageSize=100`) },
  { op: "getAuthorizationSubject", as: "admin", call: () => get(`/api/v2/authorization/subjects/${S.ana.id}`) },
  { op: "getOrganizationsMe", as: "bff", call: () => get("/api/v2/organizations/me") },
];

// ---------------------------------------------------------------------------------------------------------------
// Operation-specific errors (401/429/5xx are covered for every operation further down)

interface ErrorCase {
  name: string;
  op: string;
  as: Who;
  call: () => ApiCall;
  status: number;
  code: string;
}

const search = "/api/v2/users/search";
const criteria = (n: number) => Array.from({ length: n }, (_, i) => ({ type: "EXACT", fields: ["name"], values: [`n${i}`] }));
const fiftyOneValues = { pageSize: 25, query: [{ type: "EXACT", fields: ["divisionId"], values: Array.from({ length: 51 }, (_, i) => `d${i}`) }] };
/** Well over request.bytes.max (512,000). */
const oversized = JSON.stringify({ pageSize: 25, padding: "x".repeat(2_000_000) });
const hundredOneIds = Array.from({ length: 101 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);

const ERRORS: ErrorCase[] = [
  // GET /api/v2/users
  { name: "101 ids", op: "getUsers", as: "bff", call: () => get(`/api/v2/users?id=${hundredOneIds.join(",")}`), status: 400, code: "max.user.ids" },
  { name: "bad state param", op: "getUsers", as: "bff", call: () => get("/api/v2/users?state=bogus"), status: 400, code: "invalid.query.param.value" },
  { name: "bad pageSize", op: "getUsers", as: "bff", call: () => get("/api/v2/users?pageSize=abc"), status: 400, code: "invalid.query.param.value" },
  { name: "bad sortOrder", op: "getUsers", as: "bff", call: () => get("/api/v2/users?sortOrder=sideways"), status: 400, code: "invalid.query.param.value" },
  // GET /api/v2/users/{userId}
  { name: "unknown user", op: "getUser", as: "bff", call: () => get(`/api/v2/users/${UNKNOWN_ID}`), status: 404, code: "general.resource.not.found" },
  { name: "bad state param", op: "getUser", as: "bff", call: () => get(`/api/v2/users/${S.ana.id}?state=inactive`), status: 400, code: "invalid.query.param.value" },
  { name: "active user asked as deleted", op: "getUser", as: "bff", call: () => get(`/api/v2/users/${S.ana.id}?state=deleted`), status: 404, code: "general.resource.not.found" },
  // GET /api/v2/users/me
  { name: "client-credentials token", op: "getUsersMe", as: "bff", call: () => get("/api/v2/users/me"), status: 400, code: "not.a.user" },
  // POST /api/v2/users/search
  { name: "no directory:user:view", op: "postUsersSearch", as: "misconfigured", call: () => post(search, acmeSearch(1)), status: 403, code: "missing.permissions" },
  { name: "pageSize 101", op: "postUsersSearch", as: "bff", call: () => post(search, acmeSearch(1, 101)), status: 400, code: "invalid.value" },
  { name: "page beyond the 10,000 window", op: "postUsersSearch", as: "bff", call: () => post(search, acmeSearch(101, 100)), status: 400, code: "too.many.requested.results" },
  { name: "51 values", op: "postUsersSearch", as: "bff", call: () => post(search, fiftyOneValues), status: 400, code: "search.criteria.values.exceed.limit" },
  { name: "11 criteria", op: "postUsersSearch", as: "bff", call: () => post(search, { query: criteria(11) }), status: 400, code: "too.many.search.criteria" },
  {
    name: "unknown search field",
    op: "postUsersSearch",
    as: "bff",
    call: () => post(search, { query: [{ type: "EXACT", fields: ["shoeSize"], value: "42" }] }),
    status: 400,
    code: "client.failed.request",
  },
  { name: "malformed JSON", op: "postUsersSearch", as: "bff", call: () => ({ method: "POST", path: search, rawJson: "{not json" }), status: 400, code: "bad.request" },
  {
    name: "body over request.bytes.max",
    op: "postUsersSearch",
    as: "bff",
    call: () => ({ method: "POST", path: search, rawJson: oversized }),
    status: 413,
    code: "request.entity.too.large",
  },
  // GET /api/v2/users/search
  { name: "no directory:user:view", op: "getUsersSearch", as: "misconfigured", call: () => get(acmeNextPage), status: 403, code: "missing.permissions" },
  { name: "bad q64", op: "getUsersSearch", as: "bff", call: () => get(`${search}?q64=bm90IGpzb24`), status: 400, code: "bad.request" },
  { name: "missing q64", op: "getUsersSearch", as: "bff", call: () => get(search), status: 400, code: "bad.request" },
  { name: "q64 with pageSize 101", op: "getUsersSearch", as: "bff", call: () => get(q64(acmeSearch(1, 101))), status: 400, code: "invalid.value" },
  { name: "q64 beyond the 10,000 window", op: "getUsersSearch", as: "bff", call: () => get(q64(acmeSearch(201, 50))), status: 400, code: "too.many.requested.results" },
  { name: "q64 with 51 values", op: "getUsersSearch", as: "bff", call: () => get(q64(fiftyOneValues)), status: 400, code: "search.criteria.values.exceed.limit" },
  // divisions
  { name: "bad objectCount", op: "getAuthorizationDivisions", as: "bff", call: () => get("/api/v2/authorization/divisions?objectCount=maybe"), status: 400, code: "invalid.query.param.value" },
  { name: "unknown division", op: "getAuthorizationDivision", as: "bff", call: () => get(`/api/v2/authorization/divisions/${UNKNOWN_ID}`), status: 404, code: "not.found" },
  { name: "bad objectCount", op: "getAuthorizationDivision", as: "bff", call: () => get(`/api/v2/authorization/divisions/${D.acme}?objectCount=maybe`), status: 400, code: "invalid.query.param.value" },
  {
    name: "no permission param",
    op: "getAuthorizationDivisionspermittedPagedMe",
    as: "bff",
    call: () => get("/api/v2/authorization/divisionspermitted/paged/me"),
    status: 400,
    code: "missing.permission.param",
  },
  {
    name: "bad pageSize",
    op: "getAuthorizationDivisionspermittedPagedMe",
    as: "ana",
    call: () => get("/api/v2/authorization/divisionspermitted/paged/me?permission=directory:user:view&pageSize=0"),
    status: 400,
    code: "invalid.query.param.value",
  },
  {
    name: "no permission param",
    op: "getAuthorizationDivisionspermittedPagedSubjectId",
    as: "bff",
    call: () => get(`/api/v2/authorization/divisionspermitted/paged/${S.ana.id}`),
    status: 400,
    code: "missing.permission.param",
  },
  {
    name: "unknown subject",
    op: "getAuthorizationDivisionspermittedPagedSubjectId",
    as: "bff",
    call: () => get(`/api/v2/authorization/divisionspermitted/paged/${UNKNOWN_ID}?permission=directory:user:view`),
    status: 404,
    code: "not.found",
  },
  // OAuth client
  { name: "no oauth:client:view", op: "getOauthClient", as: "misconfigured", call: () => get(`/api/v2/oauth/clients/${C.bff.id}`), status: 403, code: "missing.permissions" },
  { name: "unknown client", op: "getOauthClient", as: "bff", call: () => get(`/api/v2/oauth/clients/${UNKNOWN_ID}`), status: 404, code: "client.not.found" },
  // role
  { name: "no authorization:role:view", op: "getAuthorizationRole", as: "misconfigured", call: () => get(`/api/v2/authorization/roles/${R.employee}`), status: 403, code: "missing.permissions" },
  { name: "unknown role", op: "getAuthorizationRole", as: "bff", call: () => get(`/api/v2/authorization/roles/${UNKNOWN_ID}`), status: 404, code: "not.found" },
  { name: "bad userCount", op: "getAuthorizationRole", as: "bff", call: () => get(`/api/v2/authorization/roles/${R.employee}?userCount=maybe`), status: 400, code: "invalid.query.param.value" },
  { name: "no authorization:role:view (roles)", op: "getAuthorizationRoles", as: "misconfigured", call: () => get("/api/v2/authorization/roles"), status: 403, code: "missing.permissions" },
  { name: "no authorization:role:view (subject grants)", op: "getAuthorizationRoleSubjectgrants", as: "misconfigured", call: () => get(`/api/v2/authorization/roles/${R.employee}/subjectgrants`), status: 403, code: "missing.permissions" },
  { name: "unknown role's subject grants", op: "getAuthorizationRoleSubjectgrants", as: "bff", call: () => get(`/api/v2/authorization/roles/${UNKNOWN_ID}/subjectgrants`), status: 404, code: "not.found" },
  // subject
  { name: "client without authorization:grant:view", op: "getAuthorizationSubject", as: "misconfigured", call: () => get(`/api/v2/authorization/subjects/${S.ana.id}`), status: 403, code: "missing.permissions" },
  { name: "user without authorization:grant:view", op: "getAuthorizationSubject", as: "ana", call: () => get(`/api/v2/authorization/subjects/${S.ana.id}`), status: 403, code: "missing.permissions" },
  { name: "unknown subject", op: "getAuthorizationSubject", as: "admin", call: () => get(`/api/v2/authorization/subjects/${UNKNOWN_ID}`), status: 404, code: "not.found" },
];

// ---------------------------------------------------------------------------------------------------------------

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  await issueSharedTokens(emu.url);
  const first = await ok<SearchView>(post(search, acmeSearch(1)));
  if (!first.nextPage) throw new Error("Acme search has no nextPage");
  acmeNextPage = first.nextPage;
});

afterAll(async () => {
  await emu?.stop();
});

describe("coverage", () => {
  it("the tables cover exactly the 18 operations of the spec, and every call maps to its operation", () => {
    const specIds = specOperations().map((o) => o.operationId);
    expect(specIds).toHaveLength(18);
    expect(OPS.map((c) => c.op).sort()).toEqual([...specIds].sort());
    for (const c of [...OPS, ...ERRORS]) {
      const { method, path } = c.call();
      expect(matchOperation(method, path)?.operationId, `${method} ${path}`).toBe(c.op);
    }
  });
});

describe("success responses", () => {
  it.each(OPS)("$op (as $as)", async (c) => {
    await call(c.call(), { status: 200 }, await tokenFor(c));
  });

  it("deleteTokensMe revokes exactly the token it was called with (the same person's other token still works)", async () => {
    const doomed = (await userToken(emu.url, login(S.ana.email, false))).access_token;
    await call(get("/api/v2/users/me"), { status: 200 }, { token: doomed });
    const res = await call(del("/api/v2/tokens/me"), { status: 200 }, { token: doomed });
    expect(res.text).toBe("");
    await call(get("/api/v2/users/me"), { status: 401, code: "bad.credentials" }, { token: doomed });
    await call(del("/api/v2/tokens/me"), { status: 401, code: "bad.credentials" }, { token: doomed });
    await call(get("/api/v2/users/me"), { status: 200 }, { as: "ana" });
  });

  it.each([
    { name: "users/me?expand=organization,token (UserMe)", as: "admin" as const, path: "/api/v2/users/me?expand=organization,token" },
    { name: "tokens/me with a user token", as: "ana" as const, path: "/api/v2/tokens/me" },
    { name: "users?state=any&sortOrder=descending", as: "bff" as const, path: "/api/v2/users?state=any&sortOrder=descending&pageSize=3&pageNumber=2" },
    { name: "role without userCount", as: "bff" as const, path: `/api/v2/authorization/roles/${R.grantViewer}?userCount=false` },
    { name: "divisions by name", as: "bff" as const, path: "/api/v2/authorization/divisions?name=acme" },
    { name: "admin's own subject (all-divisions grant)", as: "admin" as const, path: `/api/v2/authorization/subjects/${S.admin.id}` },
    { name: "divisionspermitted for a user token", as: "admin" as const, path: "/api/v2/authorization/divisionspermitted/paged/me?permission=directory:user:view&pageSize=2" },
    { name: "oauth client of the staff login (CODE grant)", as: "bff" as const, path: `/api/v2/oauth/clients/${C.staffLogin.id}` },
  ])("$name", async (c) => {
    await call(get(c.path), { status: 200 }, { as: c.as });
  });

  it("every response carries its own correlation id", async () => {
    const a = await call(get("/api/v2/organizations/me"), { status: 200 });
    const b = await call(get("/api/v2/organizations/me"), { status: 200 });
    expect(a.headers.get("inin-correlation-id")).not.toBe(b.headers.get("inin-correlation-id"));
  });
});

describe("operation-specific errors", () => {
  it.each(ERRORS)("$op: $name → $status $code", async (c) => {
    const res = await call(c.call(), { status: c.status, code: c.code }, { as: c.as });
    if (c.code === "missing.permissions") expect(res.text).toMatch(/(directory:user:view|oauth:client:view|authorization:role:view|authorization:grant:view)/);
  });
});

describe("request.bytes.max", () => {
  it("repeated 413s leave the emulator serving (the unread body does not wedge the connection)", async () => {
    for (let i = 0; i < 4; i++) {
      await call({ method: "POST", path: search, rawJson: oversized }, { status: 413, code: "request.entity.too.large" });
    }
    await call(get("/api/v2/organizations/me"), { status: 200 });
  });

  it("an oversized /oauth/token request gets an OAuth-style error, not an ErrorBody", async () => {
    const res = await httpRequest(emu.url, "/oauth/token", { method: "POST", form: { grant_type: "client_credentials", padding: "x".repeat(600_000) } });
    expectOAuthError(res, 413, "invalid_request");
    expectTokenShape(await tokenRequest(emu.url, { grant_type: "client_credentials" }, C.bff), false);
  });
});

describe("401 authentication.required: no token", () => {
  it.each(OPS)("$op", async (c) => {
    await call(c.call(), { status: 401, code: "authentication.required" }, { token: null });
  });
});

describe("401 bad.credentials: unknown token", () => {
  it.each(OPS)("$op", async (c) => {
    await call(c.call(), { status: 401, code: "bad.credentials" }, { token: "not-a-token-the-emulator-issued" });
  });
});

describe("401 bad.credentials: expired token", () => {
  const expired: Partial<Record<Who, string>> = {};
  let expiredAna: TokenResponse | undefined;

  const setLifetime = async (clientId: string, seconds: number) => {
    const res = await httpRequest(emu.url, `/__emulator/clients/${clientId}`, { method: "PUT", json: { accessTokenValiditySeconds: seconds } });
    expect(res.status, res.text).toBe(200);
  };

  beforeAll(async () => {
    await Promise.all([setLifetime(C.bff.id, 1), setLifetime(C.staffLogin.id, 1)]);
    try {
      const [bff, ana, admin] = await Promise.all([
        clientCredentialsToken(emu.url, C.bff),
        userToken(emu.url, login(S.ana.email, false)),
        userToken(emu.url, login(S.admin.email, true)),
      ]);
      for (const t of [bff, ana, admin]) expect(t.expires_in).toBe(1);
      expired.bff = bff.access_token;
      expired.ana = ana.access_token;
      expired.admin = admin.access_token;
      expiredAna = ana;
    } finally {
      await Promise.all([setLifetime(C.bff.id, 86400), setLifetime(C.staffLogin.id, 86400)]);
    }
    await new Promise((r) => setTimeout(r, 1100));
  });

  it.each(OPS)("$op", async (c) => {
    await call(c.call(), { status: 401, code: "bad.credentials" }, { token: expired[c.as] ?? null });
  });

  it("the refresh_token grant gives a working token after the access token expired", async () => {
    const refresh = expiredAna?.refresh_token;
    expect(refresh).toEqual(expect.any(String));
    const res = await tokenRequest(emu.url, { grant_type: "refresh_token", refresh_token: refresh ?? "" }, C.staffLogin);
    const fresh = readTokenResponse(res);
    expect(fresh.expires_in).toBe(86400);
    const me = await ok<UserView>(get("/api/v2/users/me"), { token: fresh.access_token });
    expect(me.id).toBe(S.ana.id);
  });
});

describe("401 bad.credentials: revoked token", () => {
  const revoked: Partial<Record<Who, string>> = {};
  let revokedRefresh = "";

  beforeAll(async () => {
    Object.assign(revoked, tokens);
    revokedRefresh = refreshTokens.ana;
    const res = await httpRequest(emu.url, "/__emulator/tokens/revoke", { method: "POST" });
    expect(res.status).toBe(200);
    expect(isRecord(res.json) && typeof res.json.revoked === "number" && res.json.revoked >= 4, res.text).toBe(true);
  });

  afterAll(async () => {
    await issueSharedTokens(emu.url);
  });

  it.each(OPS)("$op", async (c) => {
    await call(c.call(), { status: 401, code: "bad.credentials" }, { token: revoked[c.as] ?? null });
  });

  it("revocation also kills refresh tokens (invalid_grant)", async () => {
    const res = await tokenRequest(emu.url, { grant_type: "refresh_token", refresh_token: revokedRefresh }, C.staffLogin);
    expectOAuthError(res, 400, "invalid_grant");
  });
});

describe("429 too.many.requests.retry.after (a second emulator with rateLimit: 3)", () => {
  let limited: RunningEmulator;
  const limitedTokens: Partial<Record<Who, string>> = {};
  const firstFour: HttpResult[] = [];
  const probe = get("/api/v2/organizations/me");

  beforeAll(async () => {
    limited = await startEmulator({ port: 0, rateLimit: 3 });
    const [bff, ana, admin] = await Promise.all([
      clientCredentialsToken(limited.url, C.bff),
      userToken(limited.url, login(S.ana.email, false)),
      userToken(limited.url, login(S.admin.email, true)),
    ]);
    limitedTokens.bff = bff.access_token;
    limitedTokens.ana = ana.access_token;
    limitedTokens.admin = admin.access_token;
    for (let i = 0; i < 4; i++) firstFour.push(await httpRequest(limited.url, probe.path, { token: bff.access_token }));
    // Use up the user tokens' windows too, so each operation can be called with the token it needs.
    for (const t of [ana.access_token, admin.access_token]) for (let i = 0; i < 3; i++) await httpRequest(limited.url, probe.path, { token: t });
  });

  afterAll(async () => {
    await limited?.stop();
  });

  it("the first three requests succeed, the 4th is 429 with Retry-After", () => {
    expect(firstFour.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    firstFour.forEach((r, i) => expectContract(probe, r, { status: i < 3 ? 200 : 429, ...(i < 3 ? {} : { code: "too.many.requests.retry.after" }) }));
  });

  it.each(OPS)("$op", async (c) => {
    const res = await call(c.call(), { status: 429, code: "too.many.requests.retry.after" }, { base: limited.url, token: limitedTokens[c.as] ?? null });
    const retryAfter = res.headers.get("retry-after");
    expect(retryAfter).toMatch(/^\d+$/);
    const seconds = Number(retryAfter);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(isRecord(res.json) ? res.json.message : undefined).toBe(`Rate limit exceeded the maximum. Retry the request in [${seconds}] seconds`);
  });

  it("the limit is per token: a fresh token is served", async () => {
    const fresh = await clientCredentialsToken(limited.url, C.bff);
    await call(probe, { status: 200 }, { base: limited.url, token: fresh.access_token });
  });
});

describe("5xx via faults (p5xx: 1)", () => {
  beforeAll(() => {
    emu.setFaults({ p5xx: 1 });
  });

  afterAll(() => {
    emu.setFaults({ p5xx: 0 });
  });

  it.each(OPS)("$op", async (c) => {
    await call(c.call(), { status: [500, 503, 504] }, { as: c.as });
  });

  it("with p5xx off again, every operation succeeds", async () => {
    emu.setFaults({ p5xx: 0 });
    for (const c of OPS) await call(c.call(), { status: 200 }, await tokenFor(c));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Behaviour the app relies on that the spec does not state

describe("division directory semantics", () => {
  it("search results carry division.id equal to the requested division", async () => {
    const body = await ok<SearchView>(post(search, acmeSearch(1, 25)));
    expect(body.results?.length).toBeGreaterThan(0);
    for (const u of body.results ?? []) expect(u.division.id).toBe(D.acme);
    expect(body.total).toBe((await groundTruth(D.acme)).length);
  });

  it("nextPage (q64) followed with GET /api/v2/users/search returns the next page", async () => {
    const page1 = await ok<SearchView>(post(search, acmeSearch(1)));
    const page2 = await ok<SearchView>(post(search, acmeSearch(2)));
    expect(page1.nextPage).toMatch(/^\/api\/v2\/users\/search\?q64=/);
    const followed = await ok<SearchView>(get(page1.nextPage ?? ""));
    expect(followed.pageNumber).toBe(2);
    expect(followed.results?.map((u) => u.id)).toEqual(page2.results?.map((u) => u.id));
    expect(followed.previousPage).toBeDefined();
  });

  it("paging through every page of Acme (pageSize 10) yields exactly the division's users", async () => {
    const truth = await groundTruth(D.acme);
    const byNumber: string[] = [];
    const first = await ok<SearchView>(post(search, acmeSearch(1)));
    expect(first.pageCount).toBe(Math.ceil(truth.length / 10));
    for (let n = 1; n <= first.pageCount; n++) {
      const page = n === 1 ? first : await ok<SearchView>(post(search, acmeSearch(n)));
      for (const u of page.results ?? []) byNumber.push(u.id);
    }
    expect(new Set(byNumber).size).toBe(byNumber.length);
    expect([...byNumber].sort()).toEqual(truth);

    // Following nextPage links gives the same set, and the last page has no nextPage.
    const byLinks: string[] = [];
    let page: SearchView = first;
    for (;;) {
      for (const u of page.results ?? []) byLinks.push(u.id);
      if (!page.nextPage) break;
      page = await ok<SearchView>(get(page.nextPage));
    }
    expect(page.pageNumber).toBe(first.pageCount);
    expect(byLinks).toEqual(byNumber);
  });

  it("GET /api/v2/users accepts ids comma-joined (SDK style) and repeated", async () => {
    const truth = await groundTruth(D.acme);
    const [a, b] = truth;
    if (!a || !b) throw new Error("Acme needs two users");
    const comma = await ok<ListingView<UserView>>(get(`/api/v2/users?id=${a},${b}&state=any`));
    const repeated = await ok<ListingView<UserView>>(get(`/api/v2/users?id=${a}&id=${b}&state=any`));
    for (const listing of [comma, repeated]) {
      expect(listing.entities?.map((u) => u.id).sort()).toEqual([a, b].sort());
      expect(listing.total).toBe(2);
    }
  });

  it("objectCount=true gives objectCounts.USER equal to the ground truth", async () => {
    const truth = await groundTruth(D.acme);
    const one = await ok<DivisionView>(get(`/api/v2/authorization/divisions/${D.acme}?objectCount=true`));
    expect(one.objectCounts?.USER).toBe(truth.length);
    const list = await ok<ListingView<DivisionView>>(get(`/api/v2/authorization/divisions?objectCount=true&id=${D.acme}&id=${D.wayne}`));
    expect(list.entities?.find((d) => d.id === D.acme)?.objectCounts?.USER).toBe(truth.length);
    expect(list.entities?.find((d) => d.id === D.wayne)?.objectCounts?.USER).toBe((await groundTruth(D.wayne)).length);
    const plain = await ok<DivisionView>(get(`/api/v2/authorization/divisions/${D.acme}`));
    expect(plain.objectCounts).toBeUndefined();
  });

  it("the home division is the one flagged homeDivision", async () => {
    const home = await ok<DivisionView>(get("/api/v2/authorization/divisions/home"));
    expect(home.id).toBe(D.home);
    expect(home.homeDivision).toBe(true);
    const all = await ok<ListingView<DivisionView>>(get("/api/v2/authorization/divisions?pageSize=100"));
    expect(all.entities?.filter((d) => d.homeDivision).map((d) => d.id)).toEqual([D.home]);
    expect(all.total).toBe(Object.keys(D).length);
  });

  it("divisionspermitted/paged/me: ana sees exactly Acme, admin has allDivsPermitted", async () => {
    const path = "/api/v2/authorization/divisionspermitted/paged/me?permission=directory:user:view";
    const ana = await ok<PermittedView>(get(path), { as: "ana" });
    expect(ana.entities?.map((d) => d.id)).toEqual([D.acme]);
    expect(ana.allDivsPermitted).toBe(false);
    const admin = await ok<PermittedView>(get(`${path}&pageSize=100`), { as: "admin" });
    expect(admin.allDivsPermitted).toBe(true);
    expect(admin.entities?.map((d) => d.id).sort()).toEqual(Object.values(D).sort());
    const bySubject = await ok<PermittedView>(get(`/api/v2/authorization/divisionspermitted/paged/${S.ana.id}?permission=directory:user:view`));
    expect(bySubject.entities?.map((d) => d.id)).toEqual([D.acme]);
  });

  it("tokens/me for the BFF lists its roleDivisions, without Stark Retail", async () => {
    const info = await ok<TokenInfoView>(get("/api/v2/tokens/me"));
    expect(info.OAuthClient?.id).toBe(C.bff.id);
    const divisions = (info.OAuthClient?.roleDivisions ?? []).filter((g) => g.roleId === R.directoryViewer).map((g) => g.divisionId);
    expect(divisions).not.toContain(D.stark);
    expect(divisions.sort()).toEqual([D.home, D.acme, D.globex, D.initech, D.umbrella, D.wayne].sort());
  });

  it("users/me identifies the signed-in staff member", async () => {
    const ana = await ok<UserMeView>(get("/api/v2/users/me"), { as: "ana" });
    expect(ana.id).toBe(S.ana.id);
    expect(ana.division.id).toBe(D.home);
    const admin = await ok<UserMeView>(get("/api/v2/users/me?expand=organization,token"), { as: "admin" });
    expect(admin.id).toBe(S.admin.id);
    expect(admin.organization?.id).toBe(DEMO.orgId);
    expect(admin.token?.OAuthClient?.id).toBe(C.staffLogin.id);
  });

  it("search is not division-restricted unless enforcePermissions is set", async () => {
    const stark = { pageSize: 5, query: [{ type: "EXACT", fields: ["divisionId"], values: [D.stark] }] };
    const open = await ok<SearchView>(post(search, stark));
    expect(open.total).toBe((await groundTruth(D.stark)).length);
    const enforced = await ok<SearchView>(post(search, { ...stark, enforcePermissions: true }));
    expect(enforced.total).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// OAuth (the login host is not in the spec)

function expectCorrelated(res: HttpResult): void {
  expect(res.headers.get("inin-correlation-id"), `ININ-Correlation-Id missing (${res.status})`).toMatch(/\S/);
}

function expectOAuthError(res: HttpResult, status: number, error: string): void {
  expect(res.status, res.text).toBe(status);
  expectCorrelated(res);
  expect(res.headers.get("content-type") ?? "").toContain("application/json");
  const b = res.json;
  if (!isRecord(b)) throw new Error(`OAuth error body is not JSON: ${res.text}`);
  expect(b.error).toBe(error);
  expect(typeof b.error_description === "string" && b.error_description !== "").toBe(true);
  for (const key of Object.keys(b)) expect(["error", "error_description", "description"]).toContain(key);
  // Not an ErrorBody.
  expect(b.code).toBeUndefined();
}

function expectTokenShape(res: HttpResult, withRefresh: boolean): TokenResponse {
  expectCorrelated(res);
  const t = readTokenResponse(res);
  expect(Object.keys(isRecord(res.json) ? res.json : {}).sort()).toEqual(
    withRefresh ? ["access_token", "expires_in", "refresh_token", "token_type"] : ["access_token", "expires_in", "token_type"],
  );
  expect(t.token_type).toBe("bearer");
  expect(t.access_token).not.toBe("");
  expect(Number.isInteger(t.expires_in) && t.expires_in > 0).toBe(true);
  return t;
}

const staffAuthorize = (extra: { state?: string; codeChallenge?: string } = {}) => ({ clientId: C.staffLogin.id, redirectUri: REDIRECT, ...extra });
const anaCredentials = { username: S.ana.email, password: DEMO.password };

describe("OAuth token endpoint", () => {
  it("client_credentials (Basic auth) → {access_token, token_type: bearer, expires_in}", async () => {
    const res = await tokenRequest(emu.url, { grant_type: "client_credentials" }, C.bff);
    const t = expectTokenShape(res, false);
    expect(t.expires_in).toBe(86400);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("a bad secret is invalid_client (401)", async () => {
    expectOAuthError(await tokenRequest(emu.url, { grant_type: "client_credentials" }, { id: C.bff.id, secret: "wrong" }), 401, "invalid_client");
    expectOAuthError(await tokenRequest(emu.url, { grant_type: "client_credentials" }, { id: UNKNOWN_ID, secret: "x" }), 401, "invalid_client");
    expectOAuthError(await tokenRequest(emu.url, { grant_type: "client_credentials" }), 401, "invalid_client");
  });

  it("client_secret_post (form credentials) works as well as Basic", async () => {
    const res = await tokenRequest(emu.url, { grant_type: "client_credentials", client_id: C.bff.id, client_secret: C.bff.secret });
    expectTokenShape(res, false);
  });

  it("client_credentials for an authorization-code client is unauthorized_client", async () => {
    expectOAuthError(await tokenRequest(emu.url, { grant_type: "client_credentials" }, C.staffLogin), 400, "unauthorized_client");
  });

  it("an unknown or missing grant_type is unsupported_grant_type", async () => {
    expectOAuthError(await tokenRequest(emu.url, { grant_type: "password", username: "a", password: "b" }, C.bff), 400, "unsupported_grant_type");
    expectOAuthError(await tokenRequest(emu.url, {}, C.bff), 400, "unsupported_grant_type");
  });

  it("authorization_code: the code gives {access_token, token_type, expires_in, refresh_token}; reusing it is invalid_grant", async () => {
    const code = await authorizationCode(emu.url, { ...staffAuthorize({ state: "s1" }), ...anaCredentials });
    const form = { grant_type: "authorization_code", code, redirect_uri: REDIRECT };
    const t = expectTokenShape(await tokenRequest(emu.url, form, C.staffLogin), true);
    const me = await ok<UserView>(get("/api/v2/users/me"), { token: t.access_token });
    expect(me.id).toBe(S.ana.id);
    expectOAuthError(await tokenRequest(emu.url, form, C.staffLogin), 400, "invalid_grant");
  });

  it("authorization_code: a different redirect_uri is invalid_grant, a bad client secret invalid_client", async () => {
    const code = await authorizationCode(emu.url, { ...staffAuthorize(), ...anaCredentials });
    const wrongRedirect = { grant_type: "authorization_code", code, redirect_uri: "http://localhost:3001/api/auth/callback/genesys" };
    expectOAuthError(await tokenRequest(emu.url, wrongRedirect, C.staffLogin), 400, "invalid_grant");
    const form = { grant_type: "authorization_code", code, redirect_uri: REDIRECT };
    expectOAuthError(await tokenRequest(emu.url, form, { id: C.staffLogin.id, secret: "wrong" }), 401, "invalid_client");
    expectTokenShape(await tokenRequest(emu.url, form, C.staffLogin), true);
  });

  it("PKCE S256: the verifier exchange (client_id, no secret) works; a wrong or missing verifier is invalid_grant", async () => {
    const pkce = pkcePair();
    const code = await authorizationCode(emu.url, { ...staffAuthorize({ state: "p", codeChallenge: pkce.challenge }), ...anaCredentials });
    const form = { grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: C.staffLogin.id };
    expectOAuthError(await tokenRequest(emu.url, { ...form, code_verifier: pkcePair().verifier }), 400, "invalid_grant");
    expectOAuthError(await tokenRequest(emu.url, form), 400, "invalid_grant");
    const t = expectTokenShape(await tokenRequest(emu.url, { ...form, code_verifier: pkce.verifier }), true);
    const me = await ok<UserView>(get("/api/v2/users/me"), { token: t.access_token });
    expect(me.id).toBe(S.ana.id);
    expectOAuthError(await tokenRequest(emu.url, { ...form, code_verifier: pkce.verifier }), 400, "invalid_grant");
  });

  it("a code without PKCE cannot be exchanged without the client secret", async () => {
    const code = await authorizationCode(emu.url, { ...staffAuthorize(), ...anaCredentials });
    expectOAuthError(await tokenRequest(emu.url, { grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: C.staffLogin.id }), 401, "invalid_client");
  });

  it("refresh_token grant issues a new working access token; another client cannot use it", async () => {
    const t = await userToken(emu.url, login(S.ana.email, false));
    const res = await tokenRequest(emu.url, { grant_type: "refresh_token", refresh_token: t.refresh_token ?? "" }, C.staffLogin);
    const fresh = expectTokenShape(res, true);
    expect(fresh.access_token).not.toBe(t.access_token);
    const me = await ok<UserView>(get("/api/v2/users/me"), { token: fresh.access_token });
    expect(me.id).toBe(S.ana.id);
    expectOAuthError(await tokenRequest(emu.url, { grant_type: "refresh_token", refresh_token: t.refresh_token ?? "" }, C.bff), 400, "invalid_grant");
    expectOAuthError(await tokenRequest(emu.url, { grant_type: "refresh_token", refresh_token: "nope" }, C.staffLogin), 400, "invalid_grant");
  });
});

describe("OAuth authorize page and logout", () => {
  it("the login page is an HTML form with labelled username and password fields", async () => {
    const res = await httpRequest(emu.url, authorizePath(staffAuthorize({ state: "x" })));
    expect(res.status).toBe(200);
    expectCorrelated(res);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.text).toMatch(/<form[^>]*method="post"[^>]*action="\/oauth\/authorize"/);
  });

  it("an unregistered redirect_uri shows an error page (400) and never redirects", async () => {
    for (const redirectUri of ["https://evil.example/callback", "http://localhost:3000/elsewhere"]) {
      const res = await httpRequest(emu.url, authorizePath({ clientId: C.staffLogin.id, redirectUri, state: "s" }));
      expect(res.status).toBe(400);
      expectCorrelated(res);
      expect(res.headers.get("location")).toBeNull();
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(res.text).toContain('role="alert"');
    }
    const unknownClient = await httpRequest(emu.url, authorizePath({ clientId: UNKNOWN_ID, redirectUri: REDIRECT }));
    expect(unknownClient.status).toBe(400);
    expect(unknownClient.headers.get("location")).toBeNull();
  });

  it("a wrong password re-renders the form (401) with labelled username/password fields", async () => {
    const { submit } = await signIn(emu.url, { ...staffAuthorize({ state: "w" }), username: S.ana.email, password: "not-the-password" });
    expect(submit.status).toBe(401);
    expectCorrelated(submit);
    expect(submit.headers.get("location")).toBeNull();
    expect(submit.headers.get("content-type")).toContain("text/html");
    for (const field of ["username", "password"]) {
      expect(submit.text).toContain(`<label for="${field}">`);
      expect(submit.text).toMatch(new RegExp(`<input id="${field}" name="${field}"`));
    }
    expect(submit.text).toMatch(/role="alert"[^>]*>Invalid email or password/);
    // The form still carries the request, so a retry with the right password completes the flow.
    expect(submit.text).toContain('name="state" value="w"');
  });

  it("deny redirects back with error=access_denied and the state", async () => {
    const { submit } = await signIn(emu.url, { ...staffAuthorize({ state: "deny-me" }), username: "", password: "", action: "deny" });
    expect(submit.status).toBe(302);
    expectCorrelated(submit);
    const location = new URL(submit.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("state")).toBe("deny-me");
    expect(location.searchParams.get("code")).toBeNull();
  });

  it("/logout honours a registered redirect_uri and refuses an off-site one", async () => {
    const q = (redirectUri: string) => `/logout?${new URLSearchParams({ client_id: C.staffLogin.id, redirect_uri: redirectUri }).toString()}`;
    const home = "http://localhost:3000/";
    const back = await httpRequest(emu.url, q(home));
    expect(back.status).toBe(302);
    expectCorrelated(back);
    expect(back.headers.get("location")).toBe(home);
    const offSite = await httpRequest(emu.url, q("https://evil.example/"));
    expect(offSite.status).toBe(400);
    expectCorrelated(offSite);
    expect(offSite.headers.get("location")).toBeNull();
    const plain = await httpRequest(emu.url, "/logout");
    expect(plain.status).toBe(200);
  });
});
