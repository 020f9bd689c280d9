// POST/GET /api/v2/users/search, served from the search index (not the directory), with the documented
// limits: pageSize ≤ 100, a 10,000-result paging window, ≤ 50 values per criterion, ≤ 300 chars a value.
import { ApiError, errors } from "./http";
import type { Knobs } from "./knobs";
import type { IndexedUser } from "./state";

export const MAX_PAGE_SIZE = 100;
export const RESULT_WINDOW = 10_000;
const MAX_VALUES = 50;
const MAX_VALUE_LENGTH = 300;
// Not documented: how many criteria a request may carry (inferred; the spec names the error only).
const MAX_CRITERIA = 10;

type CriterionType = "EXACT" | "STARTS_WITH" | "CONTAINS" | "TERM" | "TERMS" | "REQUIRED_FIELDS";

export interface Criterion {
  type: CriterionType;
  fields: string[];
  values: string[];
  operator?: "AND" | "OR" | "NOT";
  group?: Criterion[];
}

export interface SearchRequest {
  pageSize: number;
  pageNumber: number;
  sort: { sortBy: string; sortOrder: "ASC" | "DESC" | "SCORE" }[];
  query: Criterion[];
  enforcePermissions: boolean;
  expand: string[];
  /** The body as received, for q64 page links. */
  raw: Record<string, unknown>;
}

/** The fields a criterion may name here; Genesys documents 35 (x-genesys-search-fields), these are the ones we index. */
const FIELD_READERS: Record<string, (u: IndexedUser) => string | undefined> = {
  id: (u) => u.id,
  divisionId: (u) => u.divisionId,
  name: (u) => u.name,
  email: (u) => u.email,
  username: (u) => u.username,
  state: (u) => u.state,
  title: (u) => u.title,
  department: (u) => u.department,
  "manager.id": (u) => u.managerId,
};
const SORTABLE = new Set(["name", "id", "email", "username", "state", "title", "department", "divisionId"]);
const TYPES = new Set<CriterionType>(["EXACT", "STARTS_WITH", "CONTAINS", "TERM", "TERMS", "REQUIRED_FIELDS"]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function invalid(message: string): ApiError {
  return new ApiError(400, "invalid.value", message);
}

function parseCriterion(c: unknown, depth: number): Criterion {
  if (!isRecord(c)) throw invalid("Each query criterion must be an object.");
  const type = c.type;
  if (typeof type !== "string" || !TYPES.has(type as CriterionType)) {
    throw errors.badRequest(`Value [${String(type)}] is not valid for field type [type]. Allowable values are: ${[...TYPES].join(", ")}`);
  }
  const operator = c.operator;
  if (operator !== undefined && operator !== "AND" && operator !== "OR" && operator !== "NOT") {
    throw invalid(`Value [${String(operator)}] is not valid for field type [operator]. Allowable values are: AND, OR, NOT`);
  }
  let group: Criterion[] | undefined;
  if (c.group !== undefined) {
    if (!Array.isArray(c.group) || depth > 3) throw invalid("group must be an array of criteria.");
    group = c.group.map((g) => parseCriterion(g, depth + 1));
  }
  const fields = c.fields === undefined ? [] : c.fields;
  if (!Array.isArray(fields) || !fields.every((f): f is string => typeof f === "string")) throw invalid("fields must be an array of strings.");
  for (const f of fields) if (!(f in FIELD_READERS)) throw new ApiError(400, "client.failed.request", `Unsupported search field [${f}].`);
  const values: string[] = [];
  if (c.value !== undefined) {
    if (typeof c.value !== "string") throw invalid("value must be a string.");
    values.push(c.value);
  }
  if (c.values !== undefined) {
    if (!Array.isArray(c.values) || !c.values.every((v): v is string => typeof v === "string")) throw invalid("values must be an array of strings.");
    values.push(...c.values);
  }
  if (values.length > MAX_VALUES) {
    throw new ApiError(400, "search.criteria.values.exceed.limit", `The number of values in a search criteria cannot exceed ${MAX_VALUES}.`);
  }
  if (values.some((v) => v.length > MAX_VALUE_LENGTH)) throw invalid(`Search values cannot exceed ${MAX_VALUE_LENGTH} characters.`);
  if (!group && type !== "REQUIRED_FIELDS" && (fields.length === 0 || values.length === 0)) {
    throw invalid("A search criterion needs fields and a value or values.");
  }
  return { type: type as CriterionType, fields, values, operator, group };
}

export function parseSearchRequest(body: unknown): SearchRequest {
  if (!isRecord(body)) throw errors.badRequest();
  const pageSize = body.pageSize === undefined ? 25 : body.pageSize;
  const pageNumber = body.pageNumber === undefined ? 1 : body.pageNumber;
  if (typeof pageSize !== "number" || !Number.isInteger(pageSize) || pageSize < 1) throw invalid("pageSize must be a positive integer.");
  // The spec sets no maximum; the search-limits page says 100 (how larger values are refused is inferred).
  if (pageSize > MAX_PAGE_SIZE) throw invalid(`pageSize cannot exceed ${MAX_PAGE_SIZE}.`);
  if (typeof pageNumber !== "number" || !Number.isInteger(pageNumber) || pageNumber < 1) throw invalid("pageNumber must be a positive integer.");
  if (pageNumber * pageSize > RESULT_WINDOW) {
    throw new ApiError(400, "too.many.requested.results", `The requested page exceeds the maximum of ${RESULT_WINDOW} results that can be paged through.`);
  }
  const rawQuery = body.query ?? [];
  if (!Array.isArray(rawQuery)) throw invalid("query must be an array.");
  if (rawQuery.length > MAX_CRITERIA) throw new ApiError(400, "too.many.search.criteria", `A search cannot have more than ${MAX_CRITERIA} criteria.`);
  const query = rawQuery.map((c) => parseCriterion(c, 0));

  const sort: SearchRequest["sort"] = [];
  const addSort = (sortBy: unknown, sortOrder: unknown) => {
    const order = sortOrder === undefined ? "ASC" : sortOrder;
    if (order !== "ASC" && order !== "DESC" && order !== "SCORE") throw invalid(`Value [${String(order)}] is not valid for field type [sortOrder]. Allowable values are: ASC, DESC, SCORE`);
    if (sortBy === undefined) {
      if (order !== "SCORE") sort.push({ sortBy: "name", sortOrder: order });
      return;
    }
    if (typeof sortBy !== "string" || !SORTABLE.has(sortBy)) throw new ApiError(400, "client.failed.request", `Cannot sort by [${String(sortBy)}].`);
    sort.push({ sortBy, sortOrder: order });
  };
  if (Array.isArray(body.sort) && body.sort.length > 0) {
    for (const s of body.sort) {
      if (!isRecord(s)) throw invalid("sort entries must be objects.");
      addSort(s.sortBy, s.sortOrder);
    }
  } else if (body.sortBy !== undefined || body.sortOrder !== undefined) {
    addSort(body.sortBy, body.sortOrder);
  }
  const expand = Array.isArray(body.expand) ? body.expand.filter((e): e is string => typeof e === "string") : [];
  return { pageSize, pageNumber, sort, query, enforcePermissions: body.enforcePermissions === true, expand, raw: body };
}

const fold = (s: string) => s.toLowerCase();

// Folding every field of 15,000 users for every new query was the slowest part of a cold search; the index
// holds frozen records, so each record's folded fields are computed once.
const foldedFields = new WeakMap<IndexedUser, Map<string, string | undefined>>();

function foldedField(u: IndexedUser, field: string): string | undefined {
  let fields = foldedFields.get(u);
  if (!fields) foldedFields.set(u, (fields = new Map()));
  if (!fields.has(field)) {
    const raw = FIELD_READERS[field]?.(u);
    fields.set(field, raw === undefined ? undefined : fold(raw));
  }
  return fields.get(field);
}

/** The realism knobs that change what a query matches (knobs.ts). */
export type MatchKnobs = Pick<Knobs, "exactCaseSensitive" | "startsWithId" | "defaultSearchStates">;

function matches(c: Criterion, u: IndexedUser, knobs: MatchKnobs): boolean {
  if (c.group) {
    const results = c.group.map((g) => matches(g, u, knobs));
    const combined = c.operator === "OR" ? results.some(Boolean) : results.every(Boolean);
    return c.operator === "NOT" ? !combined : combined;
  }
  const hit = c.fields.some((field) => {
    // The `startsWithId: "empty"` knob: a prefix search on ids finds nothing.
    if (c.type === "STARTS_WITH" && field === "id" && knobs.startsWithId === "empty") return false;
    // The `exactCaseSensitive` knob: EXACT compares the stored value as it is (ids are stored lower-case).
    if (c.type === "EXACT" && knobs.exactCaseSensitive) {
      const raw = FIELD_READERS[field]?.(u);
      return raw !== undefined && c.values.includes(raw);
    }
    const have = foldedField(u, field);
    if (c.type === "REQUIRED_FIELDS") return have !== undefined && have !== "";
    if (have === undefined) return false;
    // Text matching is case-insensitive, as an analysed index field would be (inferred).
    return c.values.some((v) => {
      const want = fold(v);
      if (c.type === "STARTS_WITH") return have.startsWith(want);
      if (c.type === "CONTAINS") return have.includes(want);
      return have === want;
    });
  });
  return c.operator === "NOT" ? !hit : hit;
}

/**
 * Which user states a search returns when the query names no `state` criterion. Not documented; the
 * emulator returns active and inactive users and never deleted ones (inferred), or only active ones under the
 * `defaultSearchStates: "active"` knob.
 */
export function searchesStateByDefault(u: IndexedUser, query: Criterion[], defaults: Knobs["defaultSearchStates"] = "active+inactive"): boolean {
  const namesState = (c: Criterion): boolean => c.fields.includes("state") || (c.group ?? []).some(namesState);
  if (query.some(namesState)) return true;
  return defaults === "active" ? u.state === "active" : u.state !== "deleted";
}

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });

/** Orders users by `sort`; ties break by id unless `tieBreakById` is false (then a stable sort keeps their order). */
export function compareBy(sort: SearchRequest["sort"], tieBreakById = true): ((a: IndexedUser, b: IndexedUser) => number) | null {
  const keys = sort.filter((s) => s.sortOrder !== "SCORE");
  if (keys.length === 0) return null;
  return (a, b) => {
    for (const k of keys) {
      const read = FIELD_READERS[k.sortBy];
      const c = collator.compare(read?.(a) ?? "", read?.(b) ?? "");
      if (c !== 0) return k.sortOrder === "DESC" ? -c : c;
    }
    // Ties break by id so that paging through a sorted result never repeats or skips a user.
    if (!tieBreakById) return 0;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

export interface MatchContext {
  /** Divisions whose users the caller may see when enforcePermissions is set. */
  permittedDivisionIds: Set<string> | null;
  /** Extra users the `leak` fault slips into division-filtered results. */
  leaked: (query: Criterion[]) => IndexedUser[];
  knobs: MatchKnobs;
}

/** Runs the query over the index and returns the full sorted result set. */
export function runSearch(index: Iterable<IndexedUser>, req: SearchRequest, ctx: MatchContext): IndexedUser[] {
  const hits: IndexedUser[] = [];
  const seen = new Set<string>();
  for (const u of index) {
    if (!searchesStateByDefault(u, req.query, ctx.knobs.defaultSearchStates)) continue;
    if (ctx.permittedDivisionIds && !ctx.permittedDivisionIds.has(u.divisionId)) continue;
    if (req.query.every((c) => matches(c, u, ctx.knobs))) {
      hits.push(u);
      seen.add(u.id);
    }
  }
  for (const u of ctx.leaked(req.query)) if (!seen.has(u.id)) hits.push(u);
  const cmp = compareBy(req.sort);
  return cmp ? hits.sort(cmp) : hits;
}

/** The division ids an EXACT divisionId criterion asks for (used by the leak and paging faults). */
export function divisionFilter(query: Criterion[]): string[] {
  return query.filter((c) => (c.type === "EXACT" || c.type === "TERM" || c.type === "TERMS") && c.operator !== "NOT" && c.fields.includes("divisionId")).flatMap((c) => c.values);
}

export function toQ64(raw: Record<string, unknown>, pageNumber: number): string {
  return Buffer.from(JSON.stringify({ ...raw, pageNumber }), "utf8").toString("base64");
}

export function fromQ64(q64: string): unknown {
  try {
    return JSON.parse(Buffer.from(q64, "base64").toString("utf8")) as unknown;
  } catch {
    throw errors.badRequest("The q64 parameter is not a valid base64-encoded search request.");
  }
}
