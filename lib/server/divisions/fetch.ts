import "server-only";

import type { IsolationMode } from "@/lib/server/platform";
import { AppError } from "@/lib/server/platform";
import { appErrorFromUpstream, UpstreamError } from "@/lib/server/genesys";
import type { CallOptions, GenesysClient, UserSearchBody, UserSearchCriterion } from "@/lib/server/genesys";
import type { ApiUser, AuthzDivision, UsersSearchResponse } from "@/lib/server/genesys";
import { splitPartition, WHOLE, type Partition } from "@/lib/server/genesys";
import { divisionCriterion, exceedsWindow, idPrefixCriterion, SEARCH_PAGE_SIZE, SEARCH_STATES_BY_DEFAULT, STABLE_SORT } from "@/lib/server/genesys";

// Given a division, return exactly its users: all of them, none of another division's, as fast as the
// upstream allows; when that is impossible, say so precisely rather than return a partial list.

/** What the UI shows of a user, and nothing more (the type is shared with the browser). */
export type { UserDto, FetchProgress } from "@/lib/shared/api-types";
import type { UserDto, FetchProgress } from "@/lib/shared/api-types";

export type DropReason = "search-division-mismatch" | "directory-division-mismatch" | "not-in-directory";

export interface DroppedRow {
  id: string;
  reason: DropReason;
  /** The division the search index claimed. */
  searchDivisionId?: string;
  /** The division the directory says (directory checks only). */
  directoryDivisionId?: string;
}

export interface IsolationReport {
  mode: IsolationMode;
  /** Rows examined (unique users returned by search). */
  checked: number;
  /** Rows confirmed against the directory (0 in search-only mode). */
  verified: number;
  dropped: DroppedRow[];
  /** Members the search index missed but the directory scan found (stale index). */
  addedFromDirectory: number;
  /** `objectCounts.USER` of the division, re-read at the end when the first reading disagreed. */
  objectCount: number | null;
  countMatches: boolean;
}

export interface FetchMeta {
  fetchedAt: string;
  durationMs: number;
  searchPages: number;
  upstreamCalls: number;
  partitions: number;
  attempts: number;
  consistent: boolean;
  consistencyNotes: string[];
  isolation: IsolationReport;
}

export interface DivisionUsers {
  division: { id: string; name: string };
  users: UserDto[];
  meta: FetchMeta;
}

export interface FetchOptions {
  mode: IsolationMode;
  /** Overall deadline for the whole fetch, retries included. */
  deadlineMs: number;
  signal?: AbortSignal;
  onProgress?: (p: FetchProgress) => void;
  now?: () => number;
}

// One collator for the whole sort: localeCompare with options builds a new one per comparison (seconds for 12,000 rows).
const byName = new Intl.Collator("en", { sensitivity: "base" });

const DIVISION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ATTEMPTS = 3;
/** Partition splits deeper than this would mean > 16^4 × 10,000 users: something else is wrong. */
const MAX_SPLIT_DEPTH = 4;
const VIEW_PERMISSION = "directory:user:view";

/** Rejects a malformed division id before any upstream call. */
export function assertDivisionId(divisionId: string): void {
  if (!DIVISION_ID.test(divisionId)) throw new AppError("bad_request", "The division id is not a valid Genesys Cloud id.", { details: { field: "divisionId" } });
}

interface SearchRow {
  user: ApiUser;
}

class Run {
  readonly rows = new Map<string, SearchRow>();
  readonly directory = new Map<string, ApiUser | null>();
  readonly dropped = new Map<string, DroppedRow>();
  readonly pending: Promise<void>[] = [];
  readonly notes: string[] = [];
  searchPages = 0;
  pagesTotal = 0;
  partitions = 0;

  constructor(
    readonly client: GenesysClient,
    readonly divisionId: string,
    readonly opts: FetchOptions,
    readonly call: CallOptions,
    public expected: number | null,
  ) {}

  progress(phase: FetchProgress["phase"]): void {
    this.opts.onProgress?.({ phase, pagesDone: this.searchPages, pagesTotal: Math.max(this.pagesTotal, this.searchPages), rows: this.rows.size, expected: this.expected });
  }

  body(part: Partition, pageNumber: number): UserSearchBody {
    const query: UserSearchCriterion[] = [divisionCriterion(this.divisionId)];
    if (part.prefixes.length > 0) query.push(idPrefixCriterion(part.prefixes));
    return { pageSize: SEARCH_PAGE_SIZE, pageNumber, sort: STABLE_SORT, query, enforcePermissions: true };
  }

  async page(part: Partition, pageNumber: number) {
    const res = await this.client.searchUsers(this.body(part, pageNumber), this.call);
    this.searchPages++;
    const fresh: string[] = [];
    for (const user of res.results) {
      // Row-level isolation: the search body must name the requested division, else the row goes.
      if (user.division?.id !== this.divisionId) {
        this.dropped.set(user.id, { id: user.id, reason: "search-division-mismatch", ...(user.division?.id ? { searchDivisionId: user.division.id } : {}) });
        continue;
      }
      if (!this.rows.has(user.id)) fresh.push(user.id);
      this.rows.set(user.id, { user });
    }
    // Pipelined: each page's ids are checked against the directory while later pages are still coming.
    if (this.opts.mode !== "search-only" && fresh.length > 0) {
      const check = this.verify(fresh);
      // Awaited only after all search pages; until then a failure (abort, retries exhausted) must not be an
      // unhandled rejection, which would crash the process. The error still surfaces via `pending`.
      check.catch(() => undefined);
      this.pending.push(check);
    }
    this.progress("searching");
    return res;
  }

  async verify(ids: string[]): Promise<void> {
    const users = await this.client.getUsersByIds(ids, this.call);
    const byId = new Map(users.map((u) => [u.id, u]));
    for (const id of ids) this.directory.set(id, byId.get(id) ?? null);
  }

  /**
   * Fetches one partition, splitting it while it exceeds the search window; `firstPage` when page 1 is
   * already under way. Returns whether the partition's pages were consistent.
   */
  async partition(part: Partition, depth: number, firstPage?: Promise<UsersSearchResponse>): Promise<boolean> {
    this.partitions++;
    const first = await (firstPage ?? this.page(part, 1));
    if (exceedsWindow(first.total)) {
      if (depth >= MAX_SPLIT_DEPTH) {
        throw new AppError("incomplete_result", "This division is too large to list completely through Genesys Cloud search.", {
          details: { divisionId: this.divisionId, total: first.total },
        });
      }
      this.partitions--;
      const parts = splitPartition(part, first.total);
      const results = await Promise.all(parts.map((p) => this.partition(p, depth + 1)));
      return results.every(Boolean);
    }
    this.pagesTotal += first.pageCount;
    const rest = await Promise.all(Array.from({ length: Math.max(0, first.pageCount - 1) }, (_, i) => this.page(part, i + 2)));
    const pages = [first, ...rest];
    // Consistency: every page must report the same total, and the pages together must hold exactly
    // `total` distinct users; otherwise the index changed under us (overlaps or gaps between pages).
    const totals = new Set(pages.map((p) => p.total));
    const ids = pages.flatMap((p) => p.results.map((u) => u.id));
    const distinct = new Set(ids).size;
    if (totals.size > 1 || distinct !== ids.length || distinct !== first.total) {
      this.notes.push(
        `partition ${part.prefixes.join("") || "all"}: totals ${[...totals].join("/")}, ${ids.length} rows, ${distinct} distinct, expected ${first.total}`,
      );
      return false;
    }
    return true;
  }
}

function toDto(user: ApiUser, division: AuthzDivision): UserDto | null {
  if (user.state === "deleted") return null;
  return {
    id: user.id,
    name: user.name ?? "",
    email: user.email ?? "",
    username: user.username ?? "",
    title: user.title ?? "",
    department: user.department ?? "",
    state: user.state === "inactive" ? "inactive" : "active",
    divisionId: division.id,
    divisionName: division.name,
  };
}

export async function fetchDivisionUsers(client: GenesysClient, divisionId: string, opts: FetchOptions): Promise<DivisionUsers> {
  assertDivisionId(divisionId);
  const now = opts.now ?? Date.now;
  const started = now();
  let calls = 0;
  const call: CallOptions = { deadlineAt: started + opts.deadlineMs, onCall: () => void calls++, ...(opts.signal ? { signal: opts.signal } : {}) };
  opts.onProgress?.({ phase: "starting", pagesDone: 0, pagesTotal: 0, rows: 0, expected: null });

  // Round one asks three things at once: does the division exist (and its size), may we view it, and
  // its first search page, which also tells the page count. The page is harmless if the answer is no:
  // enforcePermissions returns nothing we may not see, and the rows are discarded with the error.
  const run = new Run(client, divisionId, opts, call, null);
  const firstPage = run.page(WHOLE, 1);
  firstPage.catch(() => undefined);
  let division: AuthzDivision;
  try {
    const [found, permitted] = await Promise.all([client.getDivision(divisionId, call), client.divisionsPermitted(VIEW_PERMISSION, call)]);
    division = found;
    // Search with enforcePermissions silently returns nothing for a division we may not view, which would
    // look like an empty tenant: refuse instead, naming what is missing.
    if (!permitted.all && !permitted.divisions.some((d) => d.id === divisionId)) {
      throw new AppError(
        "upstream_forbidden",
        `Tenantscope's Genesys Cloud client lacks the permission ${VIEW_PERMISSION} in division "${division.name}".`,
        // The correlation id is that of Genesys' answer listing where the client does hold the permission.
        { details: { permission: VIEW_PERMISSION, divisionId, divisionName: division.name, ...(permitted.correlationId ? { correlationId: permitted.correlationId } : {}) } },
      );
    }
  } catch (e) {
    throw e instanceof UpstreamError ? appErrorFromUpstream(e, { divisionId }) : e;
  }
  run.expected = division.objectCounts?.USER ?? null;

  try {
    return await fetchVerified(client, division, opts, call, { run, firstPage }, started, now, () => calls);
  } catch (e) {
    throw e instanceof UpstreamError ? appErrorFromUpstream(e, { divisionId, divisionName: division.name }) : e;
  }
}

async function fetchVerified(
  client: GenesysClient,
  division: AuthzDivision,
  opts: FetchOptions,
  call: CallOptions,
  head: { run: Run; firstPage: Promise<UsersSearchResponse> },
  started: number,
  now: () => number,
  calls: () => number,
): Promise<DivisionUsers> {
  let objectCount = division.objectCounts?.USER ?? null;
  let run = head.run;
  let consistent = false;
  let attempts = 0;
  const notes: string[] = [];

  for (attempts = 1; attempts <= MAX_ATTEMPTS; attempts++) {
    if (attempts > 1) run = new Run(client, division.id, opts, call, objectCount);
    consistent = await run.partition(WHOLE, 0, attempts === 1 ? head.firstPage : undefined);
    await Promise.all(run.pending);
    notes.push(...run.notes);
    if (consistent) break;
  }

  const members = new Map<string, ApiUser>();
  const dropped = [...run.dropped.values()];
  for (const [id, row] of run.rows) {
    if (opts.mode === "search-only") {
      members.set(id, row.user);
      continue;
    }
    const truth = run.directory.get(id);
    if (!truth) dropped.push({ id, reason: "not-in-directory", searchDivisionId: division.id });
    else if (truth.division?.id !== division.id || truth.state === "deleted") {
      dropped.push({ id, reason: "directory-division-mismatch", searchDivisionId: division.id, ...(truth.division?.id ? { directoryDivisionId: truth.division.id } : {}) });
    } else members.set(id, truth);
  }

  // The count Genesys keeps for the division is the completeness figure. When it disagrees, read it
  // again (it may have moved while we paged), and in verify modes look for members the index missed.
  let addedFromDirectory = 0;
  if (objectCount !== null && members.size !== objectCount) {
    const again = await client.getDivision(division.id, call);
    objectCount = again.objectCounts?.USER ?? objectCount;
    if (members.size < objectCount && opts.mode !== "search-only") {
      run.progress("reconciling");
      addedFromDirectory = await reconcileFromDirectory(client, division.id, members, call);
    }
  }
  const countMatches = objectCount === null || members.size === objectCount;
  if (!countMatches) notes.push(`returned ${members.size} users; Genesys counts ${objectCount} in the division`);

  if (opts.mode === "fail-closed" && (dropped.length > 0 || !consistent || !countMatches)) {
    throw new AppError("isolation_violation", "The user list failed an isolation or completeness check and was withheld (fail-closed mode).", {
      details: { divisionId: division.id, divisionName: division.name, dropped: dropped.length, consistent, countMatches },
    });
  }

  const users = [...members.values()].map((u) => toDto(u, division)).filter((u): u is UserDto => u !== null);
  users.sort((a, b) => byName.compare(a.name, b.name) || (a.id < b.id ? -1 : 1));
  run.progress("done");
  return {
    division: { id: division.id, name: division.name },
    users,
    meta: {
      fetchedAt: new Date(now()).toISOString(),
      durationMs: now() - started,
      searchPages: run.searchPages,
      upstreamCalls: calls(),
      partitions: run.partitions,
      attempts: Math.min(attempts, MAX_ATTEMPTS),
      consistent: consistent && countMatches,
      consistencyNotes: notes,
      isolation: {
        mode: opts.mode,
        checked: run.rows.size + run.dropped.size,
        verified: opts.mode === "search-only" ? 0 : members.size,
        dropped,
        addedFromDirectory,
        objectCount,
        countMatches,
      },
    },
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
