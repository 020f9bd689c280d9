import "server-only";

import {
  appErrorFromUpstream,
  Capabilities,
  DIRECTORY_USER_VIEW,
  divisionsWithPermission,
  MEMBER_STATES,
  UpstreamError,
  WHOLE,
  type ApiUser,
  type AuthzDivision,
  type CallOptions,
  type CapabilityValue,
  type GenesysClient,
} from "@/lib/server/genesys";
import { AppError } from "@/lib/server/platform";
import type { FetchProgress, UserDto } from "@/lib/shared/contract";

import { readAfter, readCalls, readDirectory, readMark } from "./confirm";
import { LISTING_PAGE_SIZE, planFetch, type Plan } from "./fetch-plan";
import { truthfulProgress } from "./fetch-progress";
import { ConfirmedRows, listedRows, toDto } from "./fetch-rows";
import type { DivisionUsers, FetchOptions } from "./fetch-types";
import { OrgSnapshotSource } from "./org-snapshot";
import { CapabilityNeeded, SearchRun, type SearchScope } from "./search-run";
import { verifyMembership, type Listed } from "./verify";

// Given a division, return exactly its users: all of them, none of another division's, as fast as the
// upstream allows, relying only on what the org is known to support; when that is impossible, say so
// precisely (naming the missing capability) rather than return a partial list.

/** What the UI shows of a user, and nothing more (the type is shared with the browser). */
export type { UserDto, FetchProgress } from "@/lib/shared/contract";

export type * from "./fetch-types";

// One collator for the whole sort: localeCompare with options builds a new one per comparison (seconds for 12,000 rows).
const byName = new Intl.Collator("en", { sensitivity: "base" });

const DIVISION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ATTEMPTS = 3;

/** Rejects a malformed division id before any upstream call. */
export function assertDivisionId(divisionId: string): void {
  if (!DIVISION_ID.test(divisionId)) throw new AppError("bad_request", "The division id is not a valid Genesys Cloud id.", { details: { field: "divisionId" } });
}

interface Org {
  sortById: CapabilityValue<"sortById">;
  startsWithId: CapabilityValue<"startsWithId">;
  countStates: CapabilityValue<"objectCountStates">;
}

/** Everything one fetch shares between its steps. */
interface Context {
  client: GenesysClient;
  division: AuthzDivision;
  opts: FetchOptions;
  call: CallOptions;
  org: Org;
  snapshot: Pick<OrgSnapshotSource, "get" | "peek">;
  expected: number | null;
  /** Pages of the org pass this fetch waits for, counted into its progress beside its own search pages. */
  tally: { done: number; total: number };
  /** Upstream calls of an org pass this fetch waited for (they serve every division, but this one waited). */
  passCalls: number;
  /** Rows confirmed so far, sent ahead of the result (null: nobody listens, or not verify mode). */
  rows: ConfirmedRows | null;
}

export async function fetchDivisionUsers(client: GenesysClient, divisionId: string, opts: FetchOptions): Promise<DivisionUsers> {
  assertDivisionId(divisionId);
  // EXACT is documented as case-sensitive and Genesys ids are lower-case.
  const id = divisionId.toLowerCase();
  const now = opts.now ?? Date.now;
  const started = now();
  let calls = 0;
  const progress = truthfulProgress(opts.onProgress);
  // The division is this fetch's lane: its calls take turns with other divisions' (genesys/fair-scheduler.ts).
  const call: CallOptions = { deadlineAt: started + opts.deadlineMs, onCall: () => void calls++, onWait: progress.waiting, lane: id, ...(opts.signal ? { signal: opts.signal } : {}) };
  opts = { ...opts, onProgress: progress.report };
  progress.report({ phase: "starting", pagesDone: 0, pagesTotal: 0, rows: 0, expected: null });
  const capabilities = opts.capabilities ?? new Capabilities(client);

  // Round one asks at once: does the division exist (and its size), may we view it, and what the org supports
  // (remembered after the first fetch, so usually free).
  let ctx: Context;
  try {
    const [division, permitted, sortById, startsWithId, countStates] = await Promise.all([
      client.getDivision(id, call),
      opts.permitted ? opts.permitted() : divisionsWithPermission(client, DIRECTORY_USER_VIEW, call),
      capabilities.get("sortById"),
      capabilities.get("startsWithId"),
      capabilities.get("objectCountStates"),
    ]);
    // Search with enforcePermissions silently returns nothing for a division we may not view, which would
    // look like an empty tenant: refuse instead, naming what is missing.
    if (!permitted.all && !permitted.divisions.some((d) => d.id === id)) {
      throw new AppError(
        "upstream_forbidden",
        `Tenantscope's Genesys Cloud client lacks the permission ${DIRECTORY_USER_VIEW} in division "${division.name}".`,
        // The correlation id is that of Genesys' answer listing where the client does hold the permission.
        { details: { permission: DIRECTORY_USER_VIEW, divisionId: id, divisionName: division.name, ...(permitted.correlationId ? { correlationId: permitted.correlationId } : {}) } },
      );
    }
    const snapshot = opts.snapshot ?? new OrgSnapshotSource({ client, ttlMs: 0, deadlineMs: opts.deadlineMs });
    const expected = division.objectCounts?.USER ?? null;
    ctx = { client, division, opts, call, org: { sortById, startsWithId, countStates }, snapshot, expected, tally: { done: 0, total: 0 }, passCalls: 0, rows: ConfirmedRows.of(division, opts, expected) };
  } catch (e) {
    throw e instanceof UpstreamError ? appErrorFromUpstream(e, { divisionId: id }) : e;
  }

  const plan: Plan = opts.strategy
    ? { strategy: opts.strategy, reason: "chosen by the caller", estimate: { search: null, snapshot: null } }
    : planFetch({ expected: ctx.expected, orgUsers: opts.orgUsers ?? null, snapshotCached: ctx.snapshot.peek()?.consistent === true, ...ctx.org });
  try {
    const read = plan.strategy === "search" ? await bySearchOrSnapshot(ctx) : await bySnapshot(ctx);
    return await finish(ctx, read, plan, started, now, () => calls + ctx.passCalls);
  } catch (e) {
    throw e instanceof UpstreamError ? appErrorFromUpstream(e, { divisionId: id, divisionName: ctx.division.name }) : e;
  }
}

/** The rows a strategy read, before the isolation step. */
interface Read {
  run: SearchRun;
  consistent: boolean;
  attempts: number;
  /** `readMark()` after the last search page: only a read made after it confirms a row (confirm.ts). */
  searchEnded: number;
  /** Members the org pass listed (snapshot strategy; none otherwise). */
  listed: Listed;
  strategy: Plan["strategy"];
  notes: string[];
}

type SearchRead = Omit<Read, "listed" | "strategy">;

const NONE_LISTED: Listed = { users: [], current: false };

function scope(ctx: Context, states: SearchScope["states"]): SearchScope {
  return { states, sorted: ctx.org.sortById === "ok", canPartition: ctx.org.startsWithId === "ok" };
}

/** Search passes (up to MAX_ATTEMPTS while the pages do not add up) over the members in `states`. */
async function searchPasses(ctx: Context, states: SearchScope["states"]): Promise<SearchRead> {
  const notes: string[] = [];
  let run: SearchRun | undefined;
  let consistent = false;
  let attempts = 0;
  // Progress counts the org pass's pages too, so the bar only ever moves forward.
  const onProgress = (p: FetchProgress) => ctx.opts.onProgress?.({ ...p, pagesDone: p.pagesDone + ctx.tally.done, pagesTotal: p.pagesTotal + ctx.tally.total });
  for (attempts = 1; attempts <= MAX_ATTEMPTS; attempts++) {
    run = new SearchRun(ctx.client, ctx.division.id, { ...ctx.opts, onProgress }, ctx.call, ctx.expected, scope(ctx, states));
    consistent = await run.partition(WHOLE, 0);
    notes.push(...run.notes);
    if (consistent) break;
  }
  return { run: run as SearchRun, consistent, attempts: Math.min(attempts, MAX_ATTEMPTS), searchEnded: readMark(), notes };
}

async function bySearchOrSnapshot(ctx: Context): Promise<Read> {
  try {
    const read = await searchPasses(ctx, MEMBER_STATES);
    if (read.consistent) return { ...read, listed: NONE_LISTED, strategy: "search" };
    // Pages that never added up (an order not honoured after all, or a directory changing under us): the
    // active members come from the live directory instead, and only the inactive ones from search.
    return { ...(await bySnapshot(ctx)), notes: [...read.notes, "the search pages never added up; active users were read from the live directory instead"] };
  } catch (e) {
    if (!(e instanceof CapabilityNeeded)) throw e;
    return { ...(await bySnapshot(ctx)), notes: [`${e.total} users exceed the search window and STARTS_WITH on id is ${ctx.org.startsWithId}; read from the live directory instead`] };
  }
}

/** Active members from one pass over the live directory; inactive ones by search, each confirmed by re-read. */
async function bySnapshot(ctx: Context): Promise<Read> {
  const cached = ctx.snapshot.peek();
  if (!cached) ctx.tally.total = Math.ceil((ctx.opts.orgUsers ?? 0) / LISTING_PAGE_SIZE);
  let searched: SearchRun | undefined;
  const pass = async (force: boolean) => {
    // Pages of an earlier pass stay counted: the bar only ever moves forward.
    const before = ctx.tally.done;
    const snapshot = await ctx.snapshot.get({
      force,
      ...(ctx.opts.signal ? { signal: ctx.opts.signal } : {}),
      ...listedRows(ctx.rows),
      onProgress: (p) => {
        ctx.tally = { done: before + p.pagesDone, total: before + p.pagesTotal };
        searched?.progress("searching");
      },
    });
    ctx.passCalls += snapshot.upstreamCalls;
    return snapshot;
  };
  let read: SearchRead;
  try {
    read = await searchPasses(ctx, ["inactive"]);
    searched = read.run;
  } catch (e) {
    if (!(e instanceof CapabilityNeeded)) throw e;
    throw new AppError("incomplete_result", `This division has ${e.total} inactive users, more than Genesys Cloud search can list, and STARTS_WITH on id is ${ctx.org.startsWithId} in this org (capability startsWithId; see npm run doctor).`, {
      details: { divisionId: ctx.division.id, divisionName: ctx.division.name, capability: "startsWithId" },
    });
  }
  if (!read.consistent && !scope(ctx, ["inactive"]).sorted) {
    throw new AppError("incomplete_result", "The inactive users of this division could not be listed completely: search order by id is not honoured in this org and the pages never added up (capability sortById; see npm run doctor).", {
      details: { divisionId: ctx.division.id, divisionName: ctx.division.name, capability: "sortById" },
    });
  }
  // A cached pass that added up is as good a proposal as a new one, but only a pass begun after the last search
  // page confirms what it lists; one that did not add up is read anew (else every refetch would repeat it).
  let snapshot = cached?.consistent && read.attempts === 1 ? cached : await pass(cached !== null || read.attempts > 1);
  let members = snapshot.byDivision.get(ctx.division.id) ?? [];
  // Whichever confirms this division's members with fewer calls: re-reading them, or a new pass of the org.
  if (ctx.opts.mode !== "search-only" && !readAfter(snapshot, read.searchEnded) && readCalls(members.length) > snapshot.pages / snapshot.passes) {
    snapshot = await pass(true);
    members = snapshot.byDivision.get(ctx.division.id) ?? [];
  }
  const notes = snapshot.consistent ? [] : ["the org's active-user listing changed while it was read"];
  const listed = { users: members, current: readAfter(snapshot, read.searchEnded) };
  return { ...read, consistent: read.consistent && snapshot.consistent, listed, strategy: "snapshot", notes: [...notes, ...read.notes] };
}

/**
 * The confirming read after the last search page: every search row, and every listed user of a pass begun
 * before it. Not shown as progress: the bar counts search and listing pages.
 */
function confirmingRead(ctx: Context, read: Read): Promise<Map<string, ApiUser | null>> {
  if (ctx.opts.mode === "search-only") return Promise.resolve(new Map());
  return readDirectory(ctx.client, [...read.run.rows.keys(), ...(read.listed.current ? [] : read.listed.users.map((u) => u.id))], ctx.call, ctx.rows?.reread);
}

async function finish(ctx: Context, read: Read, plan: Plan, started: number, now: () => number, calls: () => number): Promise<DivisionUsers> {
  const { run, opts } = { run: read.run, opts: ctx.opts };
  const notes = [...read.notes];
  const directory = await confirmingRead(ctx, read);
  const membership = await verifyMembership(
    ctx.client,
    ctx.division,
    { rows: run.rows, directory, dropped: run.dropped.values(), consistent: read.consistent, listed: read.listed },
    {
      mode: opts.mode,
      call: ctx.call,
      expected: ctx.expected,
      countStates: ctx.org.countStates,
      activeFromDirectory: read.listed.current
        ? null
        : async (force) => {
            const asked = readMark();
            const snapshot = await ctx.snapshot.get({ force, ...(opts.signal ? { signal: opts.signal } : {}), ...listedRows(ctx.rows) });
            // Counted when this fetch waited for the whole pass (not a cached one).
            if (readAfter(snapshot, asked)) ctx.passCalls += snapshot.upstreamCalls;
            return { users: snapshot.byDivision.get(ctx.division.id) ?? [], current: readAfter(snapshot, read.searchEnded) };
          },
      onReconcile: () => run.progress("reconciling"),
      onReread: ctx.rows?.reread,
    },
  );
  if (membership.countNote) notes.push(membership.countNote);
  const { members, dropped, addedFromDirectory, objectCount, countMatches } = membership;

  const users = [...members.values()].map((u) => toDto(u, ctx.division)).filter((u): u is UserDto => u !== null);
  users.sort((a, b) => byName.compare(a.name, b.name) || (a.id < b.id ? -1 : 1));
  run.progress("done");
  return {
    division: { id: ctx.division.id, name: ctx.division.name },
    users,
    meta: {
      strategy: read.strategy,
      plan: plan.reason,
      fetchedAt: new Date(now()).toISOString(),
      durationMs: now() - started,
      searchPages: run.searchPages,
      upstreamCalls: calls(),
      partitions: run.partitions,
      attempts: read.attempts,
      consistent: read.consistent && countMatches,
      consistencyNotes: notes,
      isolation: {
        mode: opts.mode,
        checked: run.rows.size + run.dropped.size + read.listed.users.length,
        verified: opts.mode === "search-only" ? 0 : members.size,
        dropped,
        addedFromDirectory,
        objectCount,
        countMatches,
      },
    },
  };
}
