import "server-only";

// Every assumption this project makes about undocumented behaviour of Genesys user search lives here, so
// that each can be corrected in one place once verified against a real org; "(inferred)" marks what no
// Genesys documentation states.

/** Documented: at most 100 results per page (search-limits page). */
export const SEARCH_PAGE_SIZE = 100;

/** Documented: at most 10,000 results are reachable by paging (pageNumber × pageSize ≤ 10,000). */
export const SEARCH_RESULT_WINDOW = 10_000;

/**
 * (inferred) A partition is planned to hold at most this many users, leaving headroom for users added
 * while we page, so that it does not spill over the window between planning and fetching.
 */
export const PARTITION_TARGET = 8_000;

/**
 * (inferred) User ids are lowercase hexadecimal UUIDs, and STARTS_WITH on `id` matches a prefix of that
 * form. Partitioning by id prefix therefore covers every user exactly once, whatever their names.
 */
export const ID_ALPHABET = "0123456789abcdef".split("");

/**
 * (inferred) Sorting by `id` is supported and gives a total order (ids are unique), so pages of one query
 * neither overlap nor skip while the index is unchanged. `name` could tie.
 */
export const STABLE_SORT = [{ sortBy: "id", sortOrder: "ASC" as const }];

/**
 * (inferred) `total` is exact even above the 10,000 window (Elasticsearch can cap it at 10,000 by default;
 * if Genesys did, a capped total would equal the window and we treat "total ≥ window" as "too big").
 */
export function exceedsWindow(total: number): boolean {
  return total >= SEARCH_RESULT_WINDOW;
}

/**
 * (inferred) Without a `state` criterion, search returns active and inactive users (never deleted ones),
 * and `objectCounts.USER` counts the same set. So the division's completeness figure compares with a
 * search that has no state criterion.
 */
export const SEARCH_STATES_BY_DEFAULT = ["active", "inactive"] as const;

/** The criterion that selects one division's users (documented field `divisionId`, type EXACT). */
export function divisionCriterion(divisionId: string) {
  return { type: "EXACT" as const, fields: ["divisionId"], values: [divisionId] };
}

/** The criterion that selects ids starting with any of `prefixes` (values are OR-ed; ≤ 50 per criterion). */
export function idPrefixCriterion(prefixes: string[]) {
  return { type: "STARTS_WITH" as const, fields: ["id"], values: prefixes };
}
