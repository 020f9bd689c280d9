import "server-only";

import type { ApiUser, AuthzDivision, CallOptions, CapabilityValue, GenesysClient } from "@/lib/server/genesys";
import { AppError, type IsolationMode } from "@/lib/server/platform";

import { readDirectory } from "./confirm";
import type { DropReason, DroppedRow } from "./fetch-types";

// The isolation step after the search (fetch.ts): the search index and the org pass only propose members; the
// live directory, read after the last search page (confirm.ts), confirms each one, and Genesys' own user count
// of the division says whether the list can be complete.

/** Active members of the division from an org pass. */
export interface Listed {
  users: readonly ApiUser[];
  /** The pass began after the last search page: it is itself the confirming read. */
  current: boolean;
}

export interface SearchOutcome {
  /** Rows whose search body named the division. */
  rows: ReadonlyMap<string, { user: ApiUser }>;
  /**
   * The directory's answer, read after the last search page, for each row id and each listed user of a pass
   * that is not current (null: not in the directory); empty in search-only mode.
   */
  directory: ReadonlyMap<string, ApiUser | null>;
  /** Rows the search itself already dropped. */
  dropped: Iterable<DroppedRow>;
  /** Whether the search pages were consistent. */
  consistent: boolean;
  /** Members proposed by the org pass (the snapshot strategy; none otherwise). */
  listed: Listed;
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
   * Active members of the division from an org pass (`force`: a new one), when the search may have missed some
   * (a stale index, users who joined meanwhile); null when they already come from a current pass.
   */
  activeFromDirectory: ((force: boolean) => Promise<Listed>) | null;
  onReconcile: () => void;
  /** Each re-read call's answers as they arrive (the rows shown before the fetch ends). */
  onReread?: ((answers: (ApiUser | null)[]) => void) | undefined;
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

/** Why the directory's answer rules a proposed member out, or null when it confirms them. */
function ruledOut(division: AuthzDivision, id: string, truth: ApiUser | null | undefined, reason: DropReason, searchDivisionId?: string): DroppedRow | null {
  const claimed = searchDivisionId ? { searchDivisionId } : {};
  if (!truth) return { id, reason: "not-in-directory", ...claimed };
  if (truth.division?.id === division.id && truth.state !== "deleted") return null;
  return { id, reason, ...claimed, ...(truth.division?.id ? { directoryDivisionId: truth.division.id } : {}) };
}

/**
 * The division's members as the directory confirms them. In fail-closed mode any doubt (a dropped row,
 * inconsistent pages, a count that disagrees) withholds the whole list instead.
 */
export async function verifyMembership(client: GenesysClient, division: AuthzDivision, search: SearchOutcome, opts: VerifyOptions): Promise<Membership> {
  const verifying = opts.mode !== "search-only";
  const members = new Map<string, ApiUser>();
  const dropped = [...search.dropped];
  /** Admits the proposed user when `truth` confirms them, else records why not. */
  const admit = (id: string, truth: ApiUser | null | undefined, reason: DropReason, searchDivisionId?: string): boolean => {
    const out = ruledOut(division, id, truth, reason, searchDivisionId);
    if (out) dropped.push(out);
    else if (truth) members.set(id, truth);
    return out === null;
  };
  for (const user of search.listed.users) {
    if (!verifying || search.listed.current) members.set(user.id, user);
    // The pass placed them here before the last search page; the read after it says where they are now.
    else admit(user.id, search.directory.get(user.id), "moved-out");
  }
  for (const [id, row] of search.rows) {
    if (!verifying) members.set(id, row.user);
    else admit(id, search.directory.get(id), "directory-division-mismatch", division.id);
  }

  // When the count says more members exist, read it again (it may have moved while we paged) and, in verify
  // modes, take the active members the index missed from the live directory: from the pass at hand first,
  // each re-read unless the pass is current, then from a new pass (which also sees who joined meanwhile).
  let objectCount = opts.expected;
  let addedFromDirectory = 0;
  if (objectCount !== null && !countAgrees(objectCount, members, opts.countStates)) {
    const again = await client.getDivision(division.id, opts.call);
    objectCount = again.objectCounts?.USER ?? objectCount;
    for (const force of [false, true]) {
      if (!opts.activeFromDirectory || !verifying || !countSaysMore(objectCount, members, opts.countStates)) break;
      opts.onReconcile();
      const listing = await opts.activeFromDirectory(force);
      // A pass older than the confirming read has nothing to say of the users that read already answered for.
      const known = (id: string) => members.has(id) || (!listing.current && search.directory.has(id));
      const missing = listing.users.filter((u) => u.division?.id === division.id && u.state === "active" && !known(u.id));
      const truths = listing.current ? null : await readDirectory(client, missing.map((u) => u.id), opts.call, opts.onReread);
      for (const u of missing) {
        if (truths && !admit(u.id, truths.get(u.id), "moved-out")) continue;
        if (!truths) members.set(u.id, u);
        addedFromDirectory++;
      }
      if (listing.current) break;
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
