import "server-only";

import {
  divisionCriterion,
  exceedsWindow,
  ID_SORT,
  idPrefixCriterion,
  SEARCH_PAGE_SIZE,
  splitPartition,
  stateCriterion,
  type ApiUser,
  type CallOptions,
  type GenesysClient,
  type MemberState,
  type Partition,
  type UserSearchBody,
  type UserSearchCriterion,
  type UsersSearchResponse,
} from "@/lib/server/genesys";
import { AppError } from "@/lib/server/platform";
import type { FetchProgress } from "@/lib/shared/contract";

import type { DroppedRow, FetchOptions } from "./fetch-types";

// One pass of the search over a division (fetch.ts may run several): pages fetched in parallel, id-prefix
// partitions where the division exceeds the search window. The rows are only proposals: fetch.ts has each one
// confirmed by the live directory after the last page (confirm.ts), since users move while a search pages.

/** Partition splits deeper than this would mean > 16^4 × 10,000 users: something else is wrong. */
const MAX_SPLIT_DEPTH = 4;
/**
 * Without a known order, a listing of several pages is re-read until the pages together hold `total`
 * distinct users. A random order per request leaves a user unseen after k passes with odds about (1/P)^k.
 */
const UNORDERED_MAX_PASSES = 8;

/** What a search may rely on (genesys/capabilities.ts), and which members it lists. */
export interface SearchScope {
  states: readonly MemberState[];
  /** Sort by id is honoured: pages of one query neither overlap nor skip. */
  sorted: boolean;
  /** STARTS_WITH on id works: a result past the 10,000 window can be partitioned. */
  canPartition: boolean;
}

/** The search cannot list this division completely without a capability the org lacks. */
export class CapabilityNeeded extends Error {
  constructor(
    readonly capability: "sortById" | "startsWithId",
    readonly total: number,
  ) {
    super(`search needs ${capability} (total ${total})`);
  }
}

interface SearchRow {
  user: ApiUser;
}

export class SearchRun {
  readonly rows = new Map<string, SearchRow>();
  readonly dropped = new Map<string, DroppedRow>();
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
    readonly scope: SearchScope,
  ) {}

  progress(phase: FetchProgress["phase"]): void {
    // Until page 1 tells the page count, the division's own count estimates it: a bar is never full early.
    const estimate = this.expected === null ? 0 : Math.ceil(this.expected / SEARCH_PAGE_SIZE);
    const pagesTotal = Math.max(this.pagesTotal || estimate, this.searchPages);
    this.opts.onProgress?.({ phase, pagesDone: this.searchPages, pagesTotal, rows: this.rows.size, expected: this.expected });
  }

  body(part: Partition, pageNumber: number): UserSearchBody {
    const query: UserSearchCriterion[] = [divisionCriterion(this.divisionId), stateCriterion(this.scope.states)];
    if (part.prefixes.length > 0) query.push(idPrefixCriterion(part.prefixes));
    return { pageSize: SEARCH_PAGE_SIZE, pageNumber, ...(this.scope.sorted ? { sort: ID_SORT } : {}), query, enforcePermissions: true };
  }

  async page(part: Partition, pageNumber: number): Promise<UsersSearchResponse> {
    const res = await this.client.searchUsers(this.body(part, pageNumber), this.call);
    this.searchPages++;
    for (const user of res.results) {
      // Row-level isolation: the search body must name the requested division, else the row goes.
      if (user.division?.id !== this.divisionId) {
        this.dropped.set(user.id, { id: user.id, reason: "search-division-mismatch", ...(user.division?.id ? { searchDivisionId: user.division.id } : {}) });
        continue;
      }
      this.rows.set(user.id, { user });
    }
    this.progress("searching");
    return res;
  }

  /**
   * Fetches one partition, splitting it while it exceeds the search window; `firstPage` when page 1 is
   * already under way. Returns whether the partition's pages added up (`total` distinct users).
   */
  async partition(part: Partition, depth: number, firstPage?: Promise<UsersSearchResponse>): Promise<boolean> {
    this.partitions++;
    const first = await (firstPage ?? this.page(part, 1));
    if (exceedsWindow(first.total)) {
      if (!this.scope.canPartition) throw new CapabilityNeeded("startsWithId", first.total);
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
    return this.scope.sorted || first.pageCount <= 1 ? this.readOrdered(part, first) : this.readUnordered(part, first);
  }

  private restOf(part: Partition, first: UsersSearchResponse): Promise<UsersSearchResponse[]> {
    return Promise.all(Array.from({ length: Math.max(0, first.pageCount - 1) }, (_, i) => this.page(part, i + 2)));
  }

  private async readOrdered(part: Partition, first: UsersSearchResponse): Promise<boolean> {
    const pages = [first, ...(await this.restOf(part, first))];
    // Every page must report the same total, and the pages together must hold exactly `total` distinct
    // users; otherwise the index changed under us (overlaps or gaps between pages).
    const totals = new Set(pages.map((p) => p.total));
    const ids = pages.flatMap((p) => p.results.map((u) => u.id));
    const distinct = new Set(ids).size;
    if (totals.size > 1 || distinct !== ids.length || distinct !== first.total) {
      this.notes.push(`partition ${part.prefixes.join("") || "all"}: totals ${[...totals].join("/")}, ${ids.length} rows, ${distinct} distinct, expected ${first.total}`);
      return false;
    }
    return true;
  }

  /** Order not guaranteed: read the later pages again until, together, they hold every user once. */
  private async readUnordered(part: Partition, first: UsersSearchResponse): Promise<boolean> {
    const seen = new Set(first.results.map((u) => u.id));
    const totals = new Set([first.total]);
    for (let pass = 1; pass <= UNORDERED_MAX_PASSES; pass++) {
      for (const page of await this.restOf(part, first)) {
        totals.add(page.total);
        for (const u of page.results) seen.add(u.id);
      }
      if (totals.size === 1 && seen.size === first.total) return true;
      if (totals.size > 1 || seen.size > first.total) break;
      this.pagesTotal += first.pageCount - 1;
    }
    this.notes.push(`partition ${part.prefixes.join("") || "all"} (unordered): ${seen.size} distinct of ${first.total}, totals ${[...totals].join("/")}`);
    return false;
  }
}
