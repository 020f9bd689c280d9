import "server-only";

import type { ApiUser, AuthzDivision, CallOptions, CapabilityValue, GenesysClient } from "@/lib/server/genesys";
import { AppError, type IsolationMode } from "@/lib/server/platform";

import type { DroppedRow } from "./fetch-types";

// The isolation step after the search (fetch.ts): the search index only proposes members; the directory,
// authoritative for division membership, confirms each one, and Genesys' own user count of the division
// says whether the list can be complete.

export interface SearchOutcome {
  /** Rows whose search body named the division. */
  rows: ReadonlyMap<string, { user: ApiUser }>;
  /** The directory's answer for each row id (null: not in the directory); empty in search-only mode. */
  directory: ReadonlyMap<string, ApiUser | null>;
  /** Rows the search itself already dropped. */
  dropped: Iterable<DroppedRow>;
  /** Whether the search pages were consistent. */
  consistent: boolean;
  /** Members already confirmed by the live directory (the org snapshot's active users of the division). */
  confirmed: readonly ApiUser[];
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

export interface VerifyOptions {
  mode: IsolationMode;
  call: CallOptions;
  expected: number | null;
  /** Which users `objectCounts.USER` counts in this org (genesys/capabilities.ts). */
  countStates: CapabilityValue<"objectCountStates">;
  /**
   * Active members of the division from the live directory, when the search may have missed some (a
   * stale index); null when they already come from there (the snapshot strategy).
   */
  activeFromDirectory: (() => Promise<readonly ApiUser[]>) | null;
  onReconcile: () => void;
}

type CountStates = CapabilityValue<"objectCountStates">;

function activeCount(members: ReadonlyMap<string, ApiUser>): number {
  let n = 0;
  for (const u of members.values()) if (u.state !== "inactive") n++;
  return n;
}

/** Whether `count` agrees with the members found, read the way this org counts. */
export function countAgrees(count: number, members: ReadonlyMap<string, ApiUser>, states: CountStates): boolean {
  const active = activeCount(members);
  if (states === "active+inactive") return members.size === count;
  if (states === "active") return active === count;
  // Deleted users are counted but never listed: the count is an upper bound on the list, nothing more.
  if (states === "all") return members.size <= count;
  // Not known which users it counts: an upper bound, or exactly the active ones.
  return members.size <= count || active === count;
}

/** Whether `count` says there are members we have not found. */
function countSaysMore(count: number, members: ReadonlyMap<string, ApiUser>, states: CountStates): boolean {
  const active = activeCount(members);
  if (states === "active+inactive") return members.size < count;
  if (states === "active") return active < count;
  if (states === "all") return false;
  return members.size < count && active < count;
}

/**
 * The division's members as the directory confirms them. In fail-closed mode any doubt (a dropped row,
 * inconsistent pages, a count that disagrees) withholds the whole list instead.
 */
export async function verifyMembership(client: GenesysClient, division: AuthzDivision, search: SearchOutcome, opts: VerifyOptions): Promise<Membership> {
  const members = new Map<string, ApiUser>(search.confirmed.map((u) => [u.id, u]));
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

  // When the count says more members exist, read it again (it may have moved while we paged) and, in verify
  // modes, take the active members the index missed from the live directory.
  let objectCount = opts.expected;
  let addedFromDirectory = 0;
  if (objectCount !== null && !countAgrees(objectCount, members, opts.countStates)) {
    const again = await client.getDivision(division.id, opts.call);
    objectCount = again.objectCounts?.USER ?? objectCount;
    if (opts.activeFromDirectory && opts.mode !== "search-only" && countSaysMore(objectCount, members, opts.countStates)) {
      opts.onReconcile();
      for (const u of await opts.activeFromDirectory()) {
        if (u.division?.id === division.id && u.state === "active" && !members.has(u.id)) {
          members.set(u.id, u);
          addedFromDirectory++;
        }
      }
    }
  }
  const countMatches = objectCount === null || countAgrees(objectCount, members, opts.countStates);

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
    ...(countMatches ? {} : { countNote: `returned ${members.size} users; Genesys counts ${objectCount} in the division (${opts.countStates === "unknown" ? "which states it counts is not known" : `it counts ${opts.countStates} users`})` }),
  };
}
