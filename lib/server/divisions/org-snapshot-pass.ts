import "server-only";

import { setMaxListeners } from "node:events";

import { type ApiUser, type CallOptions, type GenesysClient } from "@/lib/server/genesys";
import { getLogger } from "@/lib/server/platform";

// One read of the whole org's active users from the live directory (GET /api/v2/users?state=active): every
// division at once, 500 users a call, no index lag. Page 1 tells the page count; the other pages go out
// together and the client's budget and concurrency limit pace them. Offset paging over a listing that
// changes meanwhile can repeat or skip a user, so a pass checks that its pages add up before anyone trusts it.

export interface OrgSnapshotProgress {
  pagesDone: number;
  pagesTotal: number;
}

export interface OrgSnapshot {
  /** Active users of the whole org by division id, straight from the live directory (authoritative for membership). */
  byDivision: ReadonlyMap<string, readonly ApiUser[]>;
  /** Distinct active users (with a division) read. */
  activeTotal: number;
  /** The listing's own `total` (of the last pass). */
  listedTotal: number;
  /** The pages added up: distinct ids === total, and every page gave the same total. */
  consistent: boolean;
  /** Pages read, over every pass. */
  pages: number;
  /** 1, or 2 when the first pass did not add up. */
  passes: number;
  /** Upstream calls made, retries included. */
  upstreamCalls: number;
  fetchedAt: string;
  durationMs: number;
  /**
   * `readMark()` when this process began the pass; absent for a pass another instance read (Redis). A fetch
   * trusts the pass's divisions only when the pass began after its last search page (fetch.ts).
   */
  readStartedAt?: number;
}

/**
 * A point in this process's order of reads: monotonic and finer than a millisecond, where wall clocks step and
 * differ between instances. Equal marks do not say which came first, so a tie never counts as "after".
 */
export function readMark(): number {
  return performance.now();
}

export interface OrgPassOptions {
  deadlineMs: number;
  signal?: AbortSignal;
  onProgress?: (p: OrgSnapshotProgress) => void;
  /** Each page's users as it arrives (whatever the pass makes of it later): live-directory rows to show early. */
  onPage?: (users: readonly ApiUser[]) => void;
  now?: () => number;
}

type ListingPage = Awaited<ReturnType<GenesysClient["listActiveUsersPage"]>>;

interface PassResult {
  byDivision: Map<string, ApiUser[]>;
  activeTotal: number;
  listedTotal: number;
  consistent: boolean;
  pages: number;
}

/** A second pass usually lands between two changes; a third would rarely fare better and doubles the cost again. */
const MAX_PASSES = 2;

/** The org's active users by division: one pass, or two when the first did not add up (then `consistent` says whether the second did). */
export async function readOrgSnapshot(client: GenesysClient, opts: OrgPassOptions): Promise<OrgSnapshot> {
  const now = opts.now ?? Date.now;
  const readStartedAt = readMark();
  const started = now();
  let calls = 0;
  // One lane for the pass, whichever divisions wait on it: it takes turns with them like any fetch.
  const call: CallOptions = { deadlineAt: started + opts.deadlineMs, onCall: () => void calls++, lane: "org-snapshot", ...(opts.signal ? { signal: opts.signal } : {}) };
  let pagesBefore = 0;
  let pass: PassResult | null = null;
  let passes = 0;
  while (passes < MAX_PASSES && !pass?.consistent) {
    passes++;
    const offset = pagesBefore;
    pass = await readPass(client, call, (p) => opts.onProgress?.({ pagesDone: offset + p.pagesDone, pagesTotal: offset + p.pagesTotal }), opts.onPage);
    pagesBefore += pass.pages;
  }
  if (!pass) throw new Error("unreachable: no pass ran");
  if (!pass.consistent) {
    getLogger().warn({ orgSnapshot: { passes, listedTotal: pass.listedTotal, activeTotal: pass.activeTotal } }, "org snapshot: the directory listing changed while it was paged, twice; it is marked inconsistent");
  }
  return {
    byDivision: pass.byDivision,
    activeTotal: pass.activeTotal,
    listedTotal: pass.listedTotal,
    consistent: pass.consistent,
    pages: pagesBefore,
    passes,
    upstreamCalls: calls,
    fetchedAt: new Date(now()).toISOString(),
    durationMs: now() - started,
    readStartedAt,
  };
}

async function readPass(client: GenesysClient, call: CallOptions, onProgress: (p: OrgSnapshotProgress) => void, onPage?: (users: readonly ApiUser[]) => void): Promise<PassResult> {
  const first = await client.listActiveUsersPage(1, call);
  const pagesTotal = pageCountOf(first);
  let pagesDone = 1;
  onPage?.(first.entities);
  onProgress({ pagesDone, pagesTotal });
  const rest = await allOrNothing(
    Array.from({ length: pagesTotal - 1 }, (_, i) => i + 2),
    (pageNumber, signal) =>
      client.listActiveUsersPage(pageNumber, { ...call, signal }).then((page) => {
        onPage?.(page.entities);
        onProgress({ pagesDone: ++pagesDone, pagesTotal });
        return page;
      }),
    call.signal,
  );
  return tally([first, ...rest]);
}

/** The page count; a listing that leaves it out is sized by its total and its first page. */
function pageCountOf(first: ListingPage): number {
  if (first.pageCount !== undefined) return Math.max(1, first.pageCount);
  if (first.total === undefined || first.entities.length === 0) return 1;
  return Math.max(1, Math.ceil(first.total / first.entities.length));
}

/**
 * Runs `work` for every item at once; the first failure cancels the rest (those still waiting for the
 * client's budget or a slot send nothing), since one missing page makes the whole pass worthless.
 */
async function allOrNothing<T, R>(items: readonly T[], work: (item: T, signal: AbortSignal) => Promise<R>, outer: AbortSignal | undefined): Promise<R[]> {
  const controller = new AbortController();
  // Every page waiting for a slot listens on it: dozens of listeners are expected here, not a leak.
  setMaxListeners(items.length + 10, controller.signal);
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onOuterAbort();
  else outer?.addEventListener("abort", onOuterAbort, { once: true });
  try {
    return await Promise.all(
      items.map((item) =>
        work(item, controller.signal).catch((e: unknown) => {
          controller.abort(e);
          throw e;
        }),
      ),
    );
  } finally {
    outer?.removeEventListener("abort", onOuterAbort);
  }
}

function tally(pages: readonly ListingPage[]): PassResult {
  const listedTotal = pages[0]?.total;
  const distinct = new Map<string, ApiUser>();
  let totalsStable = true;
  for (const page of pages) {
    if (page.total !== listedTotal) totalsStable = false;
    for (const user of page.entities) distinct.set(user.id, user);
  }
  const byDivision = new Map<string, ApiUser[]>();
  let activeTotal = 0;
  for (const user of distinct.values()) {
    // The listing asked for active users; the filter is kept because membership decisions rest on it.
    const divisionId = user.division?.id;
    if (user.state !== "active" || !divisionId) continue;
    activeTotal++;
    const members = byDivision.get(divisionId);
    if (members) members.push(user);
    else byDivision.set(divisionId, [user]);
  }
  return {
    byDivision,
    activeTotal,
    listedTotal: listedTotal ?? distinct.size,
    // Without a total nothing can be checked, so such a listing is never called consistent.
    consistent: listedTotal !== undefined && totalsStable && distinct.size === listedTotal,
    pages: pages.length,
  };
}
