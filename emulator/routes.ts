// The /api/v2 operations of openapi-subset.json: which method and path is which SDK operation, and its
// handler (api.ts). Paths that match with another method are told apart from unknown ones.
import {
  divisionsPermitted,
  getDivision,
  getDivisions,
  getSubject,
  getUser,
  getUsers,
  getUsersMe,
  ok,
  renderOrganization,
  renderTokenInfo,
  requirePermission,
  search,
  type ApiRequest,
  type SearchHooks,
} from "./api";
import { ApiError, boolParam, errors, parseJson, type Reply } from "./http";
import { renderDivision, renderOAuthClient, renderRole } from "./render";
import { getRoles, getRoleSubjectgrants } from "./roles";
import { fromQ64 } from "./search";
import type { EmulatorState } from "./state";

export interface Route {
  method: string;
  pattern: RegExp;
  /** The SDK method name (x-purecloud-method-name), used to count calls in /__emulator/stats. */
  operation: string;
  handle(state: EmulatorState, req: ApiRequest, params: string[], hooks: SearchHooks): Reply;
}

const UUIDISH = "([^/]+)";

export const ROUTES: Route[] = [
  { method: "GET", pattern: /^\/api\/v2\/users$/, operation: "getUsers", handle: (s, r) => getUsers(s, r) },
  { method: "GET", pattern: /^\/api\/v2\/users\/me$/, operation: "getUsersMe", handle: (s, r) => getUsersMe(s, r) },
  {
    method: "POST",
    pattern: /^\/api\/v2\/users\/search$/,
    operation: "postUsersSearch",
    handle: (s, r, _p, h) => search(s, r, parseJson(r.bodyText), h),
  },
  {
    method: "GET",
    pattern: /^\/api\/v2\/users\/search$/,
    operation: "getUsersSearch",
    handle: (s, r, _p, h) => {
      const q64 = r.query.get("q64");
      if (!q64) throw errors.badRequest("The q64 parameter is required.");
      return search(s, r, fromQ64(q64), h);
    },
  },
  { method: "GET", pattern: new RegExp(`^/api/v2/users/${UUIDISH}$`), operation: "getUser", handle: (s, r, p) => getUser(s, r, p) },
  { method: "GET", pattern: /^\/api\/v2\/authorization\/divisions$/, operation: "getAuthorizationDivisions", handle: (s, r) => getDivisions(s, r) },
  {
    method: "GET",
    pattern: /^\/api\/v2\/authorization\/divisions\/home$/,
    operation: "getAuthorizationDivisionsHome",
    handle: (s) => ok(renderDivision(s.homeDivision())),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/api/v2/authorization/divisions/${UUIDISH}$`),
    operation: "getAuthorizationDivision",
    handle: (s, r, p) => getDivision(s, r, p),
  },
  {
    method: "GET",
    pattern: /^\/api\/v2\/authorization\/divisionspermitted\/paged\/me$/,
    operation: "getAuthorizationDivisionspermittedPagedMe",
    handle: (s, r) => divisionsPermitted(s, r, r.subject),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/api/v2/authorization/divisionspermitted/paged/${UUIDISH}$`),
    operation: "getAuthorizationDivisionspermittedPagedSubjectId",
    handle: (s, r, [subjectId]) => {
      const user = subjectId ? s.users.get(subjectId) : undefined;
      if (!user) throw errors.notFound();
      return divisionsPermitted(s, r, { kind: "user", user, client: r.subject.client });
    },
  },
  { method: "GET", pattern: /^\/api\/v2\/tokens\/me$/, operation: "getTokensMe", handle: (s, r) => ok(renderTokenInfo(s, r.subject)) },
  {
    method: "DELETE",
    pattern: /^\/api\/v2\/tokens\/me$/,
    operation: "deleteTokensMe",
    // The spec documents 200 with no body ("Operation was successful.").
    handle: (s, r) => {
      s.revokeToken(r.token);
      return { status: 200 };
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^/api/v2/oauth/clients/${UUIDISH}$`),
    operation: "getOauthClient",
    handle: (s, r, [clientId]) => {
      requirePermission(s, r.subject, "oauth:client:view");
      const client = clientId ? s.clients.get(clientId) : undefined;
      if (!client) throw new ApiError(404, "client.not.found", "The OAuth client was not found.");
      return ok(renderOAuthClient(s, client));
    },
  },
  { method: "GET", pattern: /^\/api\/v2\/authorization\/roles$/, operation: "getAuthorizationRoles", handle: (s, r) => getRoles(s, r) },
  {
    method: "GET",
    pattern: new RegExp(`^/api/v2/authorization/roles/${UUIDISH}/subjectgrants$`),
    operation: "getAuthorizationRoleSubjectgrants",
    handle: (s, r, p) => getRoleSubjectgrants(s, r, p),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/api/v2/authorization/roles/${UUIDISH}$`),
    operation: "getAuthorizationRole",
    handle: (s, r, [roleId]) => {
      requirePermission(s, r.subject, "authorization:role:view");
      const role = roleId ? s.roles.get(roleId) : undefined;
      if (!role) throw errors.notFound();
      const count = boolParam(r.query, "userCount", true) ? [...s.users.values()].filter((u) => u.grants.some((g) => g.roleId === role.id)).length : undefined;
      return ok(renderRole(role, count));
    },
  },
  { method: "GET", pattern: new RegExp(`^/api/v2/authorization/subjects/${UUIDISH}$`), operation: "getAuthorizationSubject", handle: (s, r, p) => getSubject(s, r, p) },
  { method: "GET", pattern: /^\/api\/v2\/organizations\/me$/, operation: "getOrganizationsMe", handle: (s) => ok(renderOrganization(s)) },
];

export function matchRoute(method: string, path: string): { route: Route; params: string[] } | { route: null; pathKnown: boolean } {
  let pathKnown = false;
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    pathKnown = true;
    if (route.method === method) return { route, params: m.slice(1).map((p) => decodeURIComponent(p)) };
  }
  return { route: null, pathKnown };
}

