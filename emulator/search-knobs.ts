// What the realism knobs (knobs.ts) do to user search: refusing a sort by id or a prefix search on ids, serving
// an ignored sort by id in a per-request random order, and per-token limits by criterion type.
import { ApiError, errors } from "./http";
import type { Knobs } from "./knobs";
import { createRandom, type Random } from "./prng";
import { compareBy, type Criterion, type SearchRequest } from "./search";
import type { IndexedUser } from "./state";

function someCriterion(query: readonly Criterion[], test: (c: Criterion) => boolean): boolean {
  return query.some((c) => test(c) || someCriterion(c.group ?? [], test));
}

const sortsById = (req: SearchRequest): boolean => req.sort.some((s) => s.sortBy === "id");

/** The 400s of `sortById: "reject"` and `startsWithId: "reject"`, Genesys-shaped (ErrorBody via ApiError). */
export function refuseByKnobs(req: SearchRequest, knobs: Knobs): void {
  if (knobs.sortById === "reject" && sortsById(req)) {
    throw new ApiError(400, "bad.request", "Invalid sort field [id]", { field: "id" });
  }
  if (knobs.startsWithId === "reject" && someCriterion(req.query, (c) => c.type === "STARTS_WITH" && c.fields.includes("id"))) {
    throw new ApiError(400, "bad.request", "Invalid search type [STARTS_WITH] for field [id]", { type: "STARTS_WITH", field: "id" });
  }
}

/** Under `sortById: "ignore"`, the request to run instead (its sort without id); otherwise null. */
export function withoutIdSort(req: SearchRequest, knobs: Knobs): SearchRequest | null {
  if (knobs.sortById !== "ignore" || !sortsById(req)) return null;
  return { ...req, sort: req.sort.filter((s) => s.sortBy !== "id") };
}

/**
 * The full result set of a search whose sort by id was ignored: shuffled with a fresh seed drawn from `random`
 * (so each request sees another order, and paging is unstable), then stably ordered by any remaining sort keys.
 */
export function arbitraryOrder(hits: readonly IndexedUser[], req: SearchRequest, random: Random): IndexedUser[] {
  const shuffle = createRandom(Math.floor(random() * 4294967296));
  const out = [...hits];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(shuffle() * (i + 1));
    const tmp = out[i] as IndexedUser;
    out[i] = out[j] as IndexedUser;
    out[j] = tmp;
  }
  const cmp = compareBy(req.sort, false);
  return cmp ? out.sort(cmp) : out;
}

// ---- searchTypeLimits ---------------------------------------------------------------------------------------

export const SEARCH_TYPE_LIMITS = { STARTS_WITH: 240, CONTAINS: 100, EXACT: 4000 } as const;
export type SearchTypeCategory = keyof typeof SEARCH_TYPE_LIMITS;

/** Which limit a search counts against: STARTS_WITH if any criterion is one, else CONTAINS, else EXACT; else none. */
export function searchTypeCategory(query: readonly Criterion[]): SearchTypeCategory | null {
  for (const type of ["STARTS_WITH", "CONTAINS", "EXACT"] as const) {
    if (someCriterion(query, (c) => c.type === type)) return type;
  }
  return null;
}

/** Sliding 60-second windows per token and criterion type (the `searchTypeLimits` knob). */
export class SearchTypeLimiter {
  private readonly windows = new Map<string, number[]>();

  constructor(private readonly now: () => number) {}

  /** Counts the search against its type's limit; throws the Genesys 429 (with Retry-After) when over it. */
  admit(token: string, query: readonly Criterion[]): void {
    const category = searchTypeCategory(query);
    if (!category) return;
    const key = `${category} ${token}`;
    const now = this.now();
    const window = (this.windows.get(key) ?? []).filter((t) => t > now - 60_000);
    this.windows.set(key, window);
    if (window.length >= SEARCH_TYPE_LIMITS[category]) {
      const oldest = window[0] ?? now;
      throw errors.tooManyRequests(Math.max(1, Math.ceil((oldest + 60_000 - now) / 1000)));
    }
    window.push(now);
  }

  clear(): void {
    this.windows.clear();
  }
}
