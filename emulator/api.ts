// The handlers of the /api/v2 operations of openapi-subset.json (routes.ts maps paths to them). Each enforces
// what the spec's x-inin-requires-permissions says and returns bodies shaped as the spec's models.
import type { Reply } from "./http";
import { ApiError, boolParam, errors, intParam, listParam, RawJson } from "./http";
import type { Knobs } from "./knobs";
import type { EmuUser, UserState } from "./model";
import type { Random } from "./prng";
import { listing, renderDivision, renderOrgClient, renderUser, renderUserJson } from "./render";
import { parseSearchRequest, RESULT_WINDOW, runSearch, toQ64, type MatchKnobs, type SearchRequest } from "./search";
import { arbitraryOrder, refuseByKnobs, withoutIdSort } from "./search-knobs";
import type { EmulatorState, IndexedUser, Subject } from "./state";

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  bodyText: string;
  subject: Subject;
  /** The bearer token the request was made with (DELETE /api/v2/tokens/me revokes it). */
  token: string;
  /** The realism knobs in force (knobs.ts). */
  knobs: Knobs;
}

/** Hooks the fault layer provides to search (kept out of the handlers' logic). */
export interface SearchHooks {
  leaked(query: SearchRequest["query"]): IndexedUser[];
  beforePage(req: SearchRequest): void;
  /** Counts a search against the `searchTypeLimits` knob's limits; throws 429 when over one. */
  admit(query: SearchRequest["query"]): void;
  /** The emulator's seeded randomness (the `sortById: "ignore"` shuffle draws its seed from it). */
  random: Random;
}

export const ok = (body: unknown): Reply => ({ status: 200, body });

// Shared: localeCompare with a locale argument builds a collator per comparison, which dominated GET /users.
const byName = new Intl.Collator("en");

export function requirePermission(state: EmulatorState, subject: Subject, permission: string): void {
  if (!state.hasAnyPermission(subject, permission)) throw errors.missingPermissions([permission]);
}

const USER_STATES = ["active", "inactive", "deleted", "any"] as const;

function stateFilter(query: URLSearchParams, allowed: readonly string[], fallback: string): (u: EmuUser) => boolean {
  const raw = query.get("state") ?? fallback;
  if (!allowed.includes(raw)) throw errors.invalidQueryParam(raw, "state", allowed.join(", "));
  return raw === "any" ? () => true : (u) => u.state === raw;
}

const byNameThenId = (a: EmuUser, b: EmuUser) => byName.compare(a.name, b.name) || (a.id < b.id ? -1 : 1);

/**
 * The whole directory in listing order, sorted once per directory: the order depends only on names and ids,
 * which never change after seeding (state and division are read live by the filter), and sorting 15,000
 * users with a collator on every page request made the emulator, not the client, the bottleneck.
 */
const sortedDirectories = new WeakMap<Map<string, EmuUser>, EmuUser[]>();
function directoryByName(state: EmulatorState): EmuUser[] {
  let sorted = sortedDirectories.get(state.users);
  if (!sorted || sorted.length !== state.users.size) {
    sorted = [...state.users.values()].sort(byNameThenId);
    sortedDirectories.set(state.users, sorted);
  }
  return sorted;
}

// GET /api/v2/users: the spec gives it no division filter (openapi-subset.json); bulk ids are capped at 100.
export function getUsers(state: EmulatorState, req: ApiRequest): Reply {
  const pageSize = intParam(req.query, "pageSize", 25, 1, 500);
  const pageNumber = intParam(req.query, "pageNumber", 1, 1, 1_000_000);
  const ids = listParam(req.query, "id");
  if (ids.length > 100) throw new ApiError(400, "max.user.ids", "Only 100 users can be requested at a time.");
  const sortOrder = req.query.get("sortOrder") ?? "ASC";
  if (!["ascending", "descending", "ASC", "DESC"].includes(sortOrder)) throw errors.invalidQueryParam(sortOrder, "sortOrder", "ascending, descending");
  const keep = stateFilter(req.query, USER_STATES, "active");
  // The `listWindow` knob: listings of other states than active page through at most 10,000 users.
  const listState = req.query.get("state") ?? "active";
  if (req.knobs.listWindow && ids.length === 0 && listState !== "active" && pageNumber * pageSize > RESULT_WINDOW) {
    throw new ApiError(400, "bad.request", `The requested page is beyond the ${RESULT_WINDOW} result window`, { resultWindow: String(RESULT_WINDOW) });
  }
  const users =
    ids.length > 0
      ? [...new Set(ids)].map((id) => state.users.get(id)).filter((u): u is EmuUser => u !== undefined && keep(u)).sort(byNameThenId)
      : directoryByName(state).filter(keep);
  if (sortOrder === "descending" || sortOrder === "DESC") users.reverse();
  const page = listing(users, pageNumber, pageSize, "/api/v2/users", req.query);
  const head = JSON.stringify({ ...page, entities: [] });
  const entities = page.entities.map((u) => renderUserJson(state, u)).join(",");
  return ok(new RawJson(head.replace('"entities":[]', `"entities":[${entities}]`)));
}

export function getUser(state: EmulatorState, req: ApiRequest, [userId]: string[]): Reply {
  const wanted = req.query.get("state") ?? "active";
  if (wanted !== "active" && wanted !== "deleted") throw errors.invalidQueryParam(wanted, "state", "active, deleted");
  const user = userId ? state.users.get(userId) : undefined;
  // `active` (the default) also finds inactive users; only deleted ones need `state=deleted`.
  if (!user || (wanted === "deleted") !== (user.state === "deleted")) throw errors.resourceNotFound();
  return ok(renderUser(state, user));
}

export function getUsersMe(state: EmulatorState, req: ApiRequest): Reply {
  if (req.subject.kind !== "user") {
    throw new ApiError(400, "not.a.user", "This request requires a user context. Client credentials cannot be used for requests to this resource.");
  }
  const expand = listParam(req.query, "expand");
  const body: Record<string, unknown> = renderUser(state, req.subject.user);
  if (expand.includes("organization")) body.organization = renderOrganization(state);
  if (expand.includes("token")) body.token = renderTokenInfo(state, req.subject);
  return ok(body);
}

// Sorting 12,000 hits for each of 100 pages would make the emulator the bottleneck of every benchmark, so
// full result sets are cached per query until the index changes.
const searchCaches = new WeakMap<EmulatorState, Map<string, { version: number; hits: IndexedUser[] }>>();
const SEARCH_CACHE_ENTRIES = 32;

function cachedSearch(state: EmulatorState, sreq: SearchRequest, permitted: Set<string> | null, hooks: SearchHooks, knobs: MatchKnobs): IndexedUser[] {
  let cache = searchCaches.get(state);
  if (!cache) searchCaches.set(state, (cache = new Map()));
  const leaked = hooks.leaked(sreq.query);
  const matchKnobs = [knobs.exactCaseSensitive, knobs.startsWithId, knobs.defaultSearchStates];
  const key = JSON.stringify([sreq.query, sreq.sort, permitted ? [...permitted].sort() : null, leaked.map((u) => u.id), matchKnobs]);
  const hit = cache.get(key);
  if (hit && hit.version === state.indexVersion) return hit.hits;
  const hits = runSearch(state.index.values(), sreq, { permittedDivisionIds: permitted, leaked: () => leaked, knobs });
  cache.delete(key);
  cache.set(key, { version: state.indexVersion, hits });
  if (cache.size > SEARCH_CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  return hits;
}

export function search(state: EmulatorState, req: ApiRequest, body: unknown, hooks: SearchHooks): Reply {
  requirePermission(state, req.subject, "directory:user:view");
  const sreq = parseSearchRequest(body);
  hooks.admit(sreq.query);
  refuseByKnobs(sreq, req.knobs);
  if (sreq.pageNumber > 1) hooks.beforePage(sreq);
  // enforcePermissions narrows results to divisions where the caller holds directory:user:view; without it,
  // holding the permission anywhere lets search return users of every division (the spec's UserSearchRequest
  // describes enforcePermissions so; test/contract/emulator-contract.test.ts pins it).
  const permitted = sreq.enforcePermissions ? state.permittedDivisions(req.subject, "directory:user:view").ids : null;
  const unsortedById = withoutIdSort(sreq, req.knobs);
  const found = cachedSearch(state, unsortedById ?? sreq, permitted, hooks, req.knobs);
  const all = unsortedById ? arbitraryOrder(found, unsortedById, hooks.random) : found;
  const total = all.length;
  const pageCount = Math.ceil(total / sreq.pageSize);
  const start = (sreq.pageNumber - 1) * sreq.pageSize;
  const link = (n: number) => `/api/v2/users/search?q64=${toQ64(sreq.raw, n)}`;
  const envelope = {
    total,
    pageCount,
    pageSize: sreq.pageSize,
    pageNumber: sreq.pageNumber,
    ...(sreq.pageNumber > 1 ? { previousPage: link(sreq.pageNumber - 1) } : {}),
    currentPage: link(sreq.pageNumber),
    ...(sreq.pageNumber < pageCount && (sreq.pageNumber + 1) * sreq.pageSize <= 10_000 ? { nextPage: link(sreq.pageNumber + 1) } : {}),
    types: ["users"],
  };
  const results = all.slice(start, start + sreq.pageSize).map((u) => renderUserJson(state, u));
  const head = JSON.stringify(envelope);
  return ok(new RawJson(`${head.slice(0, -1)},"results":[${results.join(",")}]}`));
}

const COUNTED_STATES: Record<Knobs["objectCountStates"], UserState[]> = {
  "active+inactive": ["active", "inactive"],
  active: ["active"],
  all: ["active", "inactive", "deleted"],
};

/** `objectCounts` of a division: its users in the states the `objectCountStates` knob names. */
function objectCounts(state: EmulatorState, req: ApiRequest, divisionId: string): Record<string, number> {
  return { USER: state.memberIds(divisionId, COUNTED_STATES[req.knobs.objectCountStates]).length };
}

export function getDivisions(state: EmulatorState, req: ApiRequest): Reply {
  const pageSize = intParam(req.query, "pageSize", 25, 1, 10_000);
  const pageNumber = intParam(req.query, "pageNumber", 1, 1, 1_000_000);
  const withCounts = boolParam(req.query, "objectCount", false);
  const ids = listParam(req.query, "id");
  const name = req.query.get("name")?.toLocaleLowerCase("en");
  const divisions = [...state.divisions.values()]
    .filter((d) => ids.length === 0 || ids.includes(d.id))
    .filter((d) => !name || d.name.toLocaleLowerCase("en").includes(name))
    .sort((a, b) => byName.compare(a.name, b.name));
  const page = listing(divisions, pageNumber, pageSize, "/api/v2/authorization/divisions", req.query);
  return ok({ ...page, entities: page.entities.map((d) => renderDivision(d, withCounts ? objectCounts(state, req, d.id) : undefined)) });
}

export function getDivision(state: EmulatorState, req: ApiRequest, [divisionId]: string[]): Reply {
  const d = divisionId ? state.divisions.get(divisionId) : undefined;
  if (!d) throw errors.notFound();
  return ok(renderDivision(d, boolParam(req.query, "objectCount", false) ? objectCounts(state, req, d.id) : undefined));
}

export function divisionsPermitted(state: EmulatorState, req: ApiRequest, subject: Subject): Reply {
  // The `permittedDivisionsUserOnly` knob: the /me form needs a user token (the /{subjectId} form passes a user).
  if (req.knobs.permittedDivisionsUserOnly && subject.kind !== "user") {
    throw new ApiError(400, "bad.request", "This request requires a user context. Client credentials cannot be used for requests to this resource.");
  }
  const permission = req.query.get("permission");
  if (!permission) throw new ApiError(400, "missing.permission.param", "The permission query parameter is required.");
  const pageSize = intParam(req.query, "pageSize", 25, 1, 10_000);
  const pageNumber = intParam(req.query, "pageNumber", 1, 1, 1_000_000);
  const { all, ids } = state.permittedDivisions(subject, permission);
  const divisions = [...ids].map((id) => state.divisions.get(id)).filter((d) => d !== undefined).sort((a, b) => byName.compare(a.name, b.name));
  const page = listing(divisions, pageNumber, pageSize, req.path, req.query);
  return ok({ ...page, entities: page.entities.map((d) => renderDivision(d)), allDivsPermitted: all });
}

export function renderOrganization(state: EmulatorState) {
  return {
    id: state.org.id,
    name: state.org.name,
    defaultLanguage: "en-us",
    defaultCountryCode: "US",
    domain: state.org.domain,
    features: {},
    version: 1,
    state: "active",
    productPlatform: "GenesysCloud",
    selfUri: `/api/v2/organizations/${state.org.id}`,
  };
}

export function renderTokenInfo(state: EmulatorState, subject: Subject) {
  const org = { id: state.org.id, name: state.org.name };
  return {
    organization: org,
    homeOrganization: org,
    authorizedScope: ["all"],
    OAuthClient: renderOrgClient(state, subject.client),
  };
}

export function getSubject(state: EmulatorState, req: ApiRequest, [subjectId]: string[]): Reply {
  requirePermission(state, req.subject, "authorization:grant:view");
  const user = subjectId ? state.users.get(subjectId) : undefined;
  if (!user) throw errors.notFound();
  // An all-divisions grant is listed once per division, so every grant names a real division.
  const grants = user.grants.flatMap((g) => {
    const role = state.roles.get(g.roleId);
    if (!role) return [];
    const divisions = g.divisionId === "*" ? [...state.divisions.values()] : [state.divisions.get(g.divisionId)].filter((d) => d !== undefined);
    return divisions.map((d) => ({
      subjectId: user.id,
      division: renderDivision(d),
      role: { id: role.id, name: role.name, description: role.description, policies: [], default: false, selfUri: `/api/v2/authorization/roles/${role.id}` },
      grantMadeAt: "2026-01-05T09:00:00Z",
    }));
  });
  return ok({ id: user.id, name: user.name, grants, version: 1, selfUri: `/api/v2/authorization/subjects/${user.id}` });
}
