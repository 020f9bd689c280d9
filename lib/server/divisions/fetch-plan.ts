import "server-only";

import { SEARCH_PAGE_SIZE, SEARCH_RESULT_WINDOW, type CapabilityValue } from "@/lib/server/genesys";

// Which way to read a division, by what the org supports and what each way costs in upstream calls:
// - "search": the division's users search (≤ 100 a page) with a bulk re-read of every row (≤ 100 ids a
//   call): about 2 calls per 100 users of this division;
// - "snapshot": one paged pass over the org's active users (GET /api/v2/users?state=active, 500 a page,
//   live directory, shared by every division) plus a search for the division's inactive users: about 1
//   call per 500 users of the org. A cached pass began before this fetch's search, so it only proposes
//   members: they are re-read (1 call per 100), or the org listed anew when that costs fewer calls.

export type Strategy = "search" | "snapshot";

/** GET /api/v2/users pages (see genesys/client.ts). */
export const LISTING_PAGE_SIZE = 500;

export interface PlanInput {
  /** The division's user count, as Genesys counts it (null: unknown). */
  expected: number | null;
  /** Users of the whole org (null: unknown). */
  orgUsers: number | null;
  /** A fresh org snapshot that added up is cached: the snapshot way costs the inactive search and confirming its members. */
  snapshotCached: boolean;
  sortById: CapabilityValue<"sortById">;
  startsWithId: CapabilityValue<"startsWithId">;
}

export interface Plan {
  strategy: Strategy;
  /** One sentence for logs and the result's notes. */
  reason: string;
  estimate: { search: number | null; snapshot: number | null };
}

export function searchCalls(users: number): number {
  const pages = Math.max(1, Math.ceil(users / SEARCH_PAGE_SIZE));
  return pages + Math.ceil(users / 100);
}

export function snapshotCalls(orgUsers: number | null, cached: boolean, divisionUsers: number | null): number | null {
  const pass = orgUsers === null ? null : Math.max(1, Math.ceil(orgUsers / LISTING_PAGE_SIZE));
  // The inactive search: one page and its re-read in the usual case.
  if (!cached) return pass === null ? null : pass + 2;
  const confirm = [divisionUsers === null ? null : Math.ceil(divisionUsers / 100), pass].filter((n): n is number => n !== null);
  return confirm.length === 0 ? null : Math.min(...confirm) + 2;
}

export function planFetch(input: PlanInput): Plan {
  const search = input.expected === null ? null : searchCalls(input.expected);
  const snapshot = snapshotCalls(input.orgUsers, input.snapshotCached, input.expected);
  const estimate = { search, snapshot };
  const n = input.expected ?? 0;
  if (n > SEARCH_PAGE_SIZE && input.sortById !== "ok") {
    return { strategy: "snapshot", reason: `search order by id is ${input.sortById}: a listing of ${n} users is read from the live directory instead`, estimate };
  }
  if (n >= SEARCH_RESULT_WINDOW && input.startsWithId !== "ok") {
    return { strategy: "snapshot", reason: `STARTS_WITH on id is ${input.startsWithId}: ${n} users exceed the search window, so they are read from the live directory`, estimate };
  }
  if (search !== null && snapshot !== null && snapshot < search) {
    return { strategy: "snapshot", reason: `the org snapshot costs about ${snapshot} calls, the division search about ${search}`, estimate };
  }
  return { strategy: "search", reason: search === null ? "the division's size is not known" : `the division search costs about ${search} calls${snapshot === null ? "" : `, the org snapshot about ${snapshot}`}`, estimate };
}
