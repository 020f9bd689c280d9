import "server-only";

import { divisionCriterion, exceedsWindow, idPrefixCriterion, SEARCH_PAGE_SIZE, splitPartition, STABLE_SORT, type ApiUser, type CallOptions, type GenesysClient, type Partition, type UserSearchBody, type UserSearchCriterion, type UsersSearchResponse } from "@/lib/server/genesys";
import { AppError } from "@/lib/server/platform";
import type { FetchProgress } from "@/lib/shared/contract";

import type { DroppedRow, FetchOptions } from "./fetch-types";

// One pass of the search over a division (fetch.ts may run up to three): pages fetched in parallel, id-prefix
// partitions where the division exceeds the search window, and each page's rows sent to the directory check
// while later pages still come in.

/** Partition splits deeper than this would mean > 16^4 × 10,000 users: something else is wrong. */
const MAX_SPLIT_DEPTH = 4;

interface SearchRow {
  user: ApiUser;
}

export class SearchRun {
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
