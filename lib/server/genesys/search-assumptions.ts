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
 * (inferred) Sorting by `id` is supported and gives a total order, so pages of one query neither overlap nor
 * skip while the index is unchanged. Not relied on: it is sent only where the capability probe saw it work
 * (genesys/capabilities.ts); otherwise a single page needs no order, and longer listings are made safe by
 * de-duplication and count checks, or come from the live directory instead.
 */
export const ID_SORT = [{ sortBy: "id", sortOrder: "ASC" as const }];

/**
 * (inferred) `total` is exact even above the 10,000 window (Elasticsearch can cap it at 10,000 by default;
 * if Genesys did, a capped total would equal the window and we treat "total ≥ window" as "too big").
 */
export function exceedsWindow(total: number): boolean {
  return total >= SEARCH_RESULT_WINDOW;
}

/**
 * The states of a division's members. Which states a search returns with no `state` criterion is not
 * documented, so every search names the states it means.
 */
export const MEMBER_STATES = ["active", "inactive"] as const;
export type MemberState = (typeof MEMBER_STATES)[number];

/** The criterion that selects users in any of `states` (values of one criterion are OR-ed). */
export function stateCriterion(states: readonly MemberState[]) {
  return { type: "EXACT" as const, fields: ["state"], values: [...states] };
}

/**
 * The criterion that selects one division's users (documented field `divisionId`, type EXACT). EXACT is
 * documented as case-sensitive and Genesys ids are lower-case: the id is lower-cased whatever its source.
 */
export function divisionCriterion(divisionId: string) {
  return { type: "EXACT" as const, fields: ["divisionId"], values: [divisionId.toLowerCase()] };
}

/** The criterion that selects ids starting with any of `prefixes` (values are OR-ed; ≤ 50 per criterion). */
export function idPrefixCriterion(prefixes: string[]) {
  return { type: "STARTS_WITH" as const, fields: ["id"], values: prefixes };
}
