import "server-only";

import type { IsolationMode } from "@/lib/server/platform";
import type { DROP_REASONS, FetchProgress, UserDto } from "@/lib/shared/contract";

// What a division fetch returns and takes: shared by the fetch and its search and verification steps.

export type DropReason = (typeof DROP_REASONS)[number];

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
