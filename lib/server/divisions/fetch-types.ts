import "server-only";

import type { Capabilities, PermittedDivisions } from "@/lib/server/genesys";
import type { IsolationMode } from "@/lib/server/platform";
import type { DROP_REASONS, FetchProgress, UserDto } from "@/lib/shared/contract";

import type { Strategy } from "./fetch-plan";
import type { OrgSnapshotSource } from "./org-snapshot";

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
  /** How the division was read (fetch-plan.ts), and why. */
  strategy: Strategy;
  plan: string;
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

/** Users a read of the live directory made during the fetch placed in the division, shown before it ends. */
export interface RowsBatch {
  users: UserDto[];
  /** Distinct users sent so far, these included. */
  verified: number;
  /** Genesys' count of the division (null: unknown). */
  expected: number | null;
}

export interface FetchOptions {
  mode: IsolationMode;
  /** Overall deadline for the whole fetch, retries included. */
  deadlineMs: number;
  signal?: AbortSignal;
  onProgress?: (p: FetchProgress) => void;
  /**
   * Confirmed rows as they arrive (verify mode only): each one placed in this division by a bulk re-read or an
   * org listing page read during this fetch, never by search alone. The result replaces them.
   */
  onRows?: (batch: RowsBatch) => void;
  now?: () => number;
  /** What the org supports, probed on first use (default: probed with the fetch's own client). */
  capabilities?: Pick<Capabilities, "get">;
  /** One pass over the org's active users shared by every division (default: a pass of this fetch's own). */
  snapshot?: Pick<OrgSnapshotSource, "get" | "peek">;
  /**
   * Where the BFF's client holds directory:user:view (default: asked of Genesys by each fetch). The app
   * shares one answer for a minute, as its division directory does for the access gate.
   */
  permitted?: () => Promise<PermittedDivisions>;
  /** Users of the whole org, for the planner (null or absent: unknown). */
  orgUsers?: number | null;
  /** Skip the planner (benchmarks, tests). */
  strategy?: Strategy;
}
