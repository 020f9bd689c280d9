import "server-only";

import { SEARCH_STATES_BY_DEFAULT, type ApiUser, type AuthzDivision, type CallOptions, type GenesysClient } from "@/lib/server/genesys";
import { AppError, type IsolationMode } from "@/lib/server/platform";

import type { DroppedRow } from "./fetch-types";

// The isolation step after the search (fetch.ts): the search index only proposes members; the directory,
// authoritative for division membership, confirms each one, and Genesys' own user count of the division
// decides whether the list is complete.

export interface SearchOutcome {
  /** Rows whose search body named the division. */
  rows: ReadonlyMap<string, { user: ApiUser }>;
  /** The directory's answer for each row id (null: not in the directory); empty in search-only mode. */
  directory: ReadonlyMap<string, ApiUser | null>;
  /** Rows the search itself already dropped. */
  dropped: Iterable<DroppedRow>;
  /** Whether the search pages were consistent. */
  consistent: boolean;
}

export interface Membership {
  members: Map<string, ApiUser>;
  dropped: DroppedRow[];
  addedFromDirectory: number;
  objectCount: number | null;
  countMatches: boolean;
  /** Set when the final count still disagrees with Genesys'. */
  countNote?: string;
}

/**
 * The division's members as the directory confirms them. In fail-closed mode any doubt (a dropped row,
 * inconsistent pages, a count that disagrees) withholds the whole list instead.
 */
export async function verifyMembership(
  client: GenesysClient,
  division: AuthzDivision,
  search: SearchOutcome,
  opts: { mode: IsolationMode; call: CallOptions; expected: number | null; onReconcile: () => void },
): Promise<Membership> {
  const members = new Map<string, ApiUser>();
  const dropped = [...search.dropped];
  for (const [id, row] of search.rows) {
    if (opts.mode === "search-only") {
      members.set(id, row.user);
      continue;
    }
    const truth = search.directory.get(id);
    if (!truth) dropped.push({ id, reason: "not-in-directory", searchDivisionId: division.id });
    else if (truth.division?.id !== division.id || truth.state === "deleted") {
      dropped.push({ id, reason: "directory-division-mismatch", searchDivisionId: division.id, ...(truth.division?.id ? { directoryDivisionId: truth.division.id } : {}) });
    } else members.set(id, truth);
  }

  // The count Genesys keeps for the division is the completeness figure. When it disagrees, read it
  // again (it may have moved while we paged), and in verify modes look for members the index missed.
  let objectCount = opts.expected;
  let addedFromDirectory = 0;
  if (objectCount !== null && members.size !== objectCount) {
    const again = await client.getDivision(division.id, opts.call);
    objectCount = again.objectCounts?.USER ?? objectCount;
    if (members.size < objectCount && opts.mode !== "search-only") {
      opts.onReconcile();
      addedFromDirectory = await reconcileFromDirectory(client, division.id, members, opts.call);
    }
  }
  const countMatches = objectCount === null || members.size === objectCount;

  if (opts.mode === "fail-closed" && (dropped.length > 0 || !search.consistent || !countMatches)) {
    throw new AppError("isolation_violation", "The user list failed an isolation or completeness check and was withheld (fail-closed mode).", {
      details: { divisionId: division.id, divisionName: division.name, dropped: dropped.length, consistent: search.consistent, countMatches },
    });
  }
  return {
    members,
    dropped,
    addedFromDirectory,
    objectCount,
    countMatches,
    ...(countMatches ? {} : { countNote: `returned ${members.size} users; Genesys counts ${objectCount} in the division` }),
  };
}

/**
 * The search index can miss members (a user moved in, index not yet updated). The directory listing is
 * authoritative but has no division filter, so this scans it whole: used only when counts disagree.
 */
async function reconcileFromDirectory(client: GenesysClient, divisionId: string, members: Map<string, ApiUser>, call: CallOptions): Promise<number> {
  const first = await client.listUsersPage(1, call);
  const rest = await Promise.all(Array.from({ length: Math.max(0, (first.pageCount ?? 1) - 1) }, (_, i) => client.listUsersPage(i + 2, call)));
  let added = 0;
  for (const page of [first, ...rest]) {
    for (const u of page.entities) {
      const state = u.state ?? "active";
      if (u.division?.id === divisionId && (SEARCH_STATES_BY_DEFAULT as readonly string[]).includes(state) && !members.has(u.id)) {
        members.set(u.id, u);
        added++;
      }
    }
  }
  return added;
}
