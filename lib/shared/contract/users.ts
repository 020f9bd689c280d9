import { z } from "zod";

import { apiErrorSchema } from "./errors";

// GET /api/divisions/{id}/users: the JSON payload, and the NDJSON lines of the same route (progress lines
// while a cold fetch runs, then one result or error line).

const count = z.number().int().nonnegative();

export const USER_STATES = ["active", "inactive"] as const;
export const ISOLATION_MODES = ["verify", "search-only", "fail-closed"] as const;
/** "moved-out": the org pass placed the user here, a read after the last search page elsewhere (or deleted). */
export const DROP_REASONS = ["search-division-mismatch", "directory-division-mismatch", "not-in-directory", "moved-out"] as const;
export const FRESHNESS = ["fresh", "stale", "loaded"] as const;
export const FETCH_PHASES = ["starting", "searching", "reconciling", "done"] as const;

export const isolationModeSchema = z.enum(ISOLATION_MODES);
export const freshnessSchema = z.enum(FRESHNESS);

/** What the UI shows of a user, and nothing more. */
export const userDtoSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string(),
  email: z.string(),
  username: z.string(),
  title: z.string(),
  department: z.string(),
  state: z.enum(USER_STATES),
  divisionId: z.string().min(1),
  divisionName: z.string(),
});

export const WAIT_REASONS = ["rate-limit", "budget"] as const;

export const fetchProgressSchema = z.strictObject({
  phase: z.enum(FETCH_PHASES),
  pagesDone: count,
  pagesTotal: count,
  rows: count,
  expected: count.nullable(),
  /** Set while the fetch waits for Genesys' Retry-After ("rate-limit") or the per-minute request budget. */
  waiting: z.strictObject({ reason: z.enum(WAIT_REASONS), seconds: count }).optional(),
});

export const droppedRowSchema = z.strictObject({
  id: z.string().min(1),
  reason: z.enum(DROP_REASONS),
  searchDivisionId: z.string().optional(),
  directoryDivisionId: z.string().optional(),
});

export const isolationSummarySchema = z.strictObject({
  checked: count,
  verified: count,
  droppedCount: count,
  addedFromDirectory: count,
  objectCount: count.nullable(),
  countMatches: z.boolean(),
  mode: isolationModeSchema,
  /** Admins only: the rows name users of other divisions. */
  dropped: z.array(droppedRowSchema).optional(),
});

export const divisionUsersPayloadSchema = z.strictObject({
  division: z.strictObject({ id: z.string().min(1), name: z.string(), userCount: count.nullable() }),
  users: z.array(userDtoSchema),
  meta: z.strictObject({
    fetchedAt: z.iso.datetime(),
    durationMs: z.number().nonnegative(),
    searchPages: count,
    upstreamCalls: count,
    consistent: z.boolean(),
    /** Admins only. */
    consistencyNotes: z.array(z.string()).optional(),
    isolation: isolationSummarySchema,
  }),
  cache: z.strictObject({
    freshness: freshnessSchema,
    ageSeconds: count,
    revalidating: z.boolean(),
    stale: z.boolean(),
    /** The refresh that should have replaced a stale value failed; correlationId for admins only. */
    refreshError: z.strictObject({ code: z.string().min(1), message: z.string(), correlationId: z.string().optional() }).optional(),
  }),
});

export const usersProgressLineSchema = z.strictObject({ type: z.literal("progress"), ...fetchProgressSchema.shape });
export const usersResultLineSchema = z.strictObject({ type: z.literal("result"), ...divisionUsersPayloadSchema.shape });
export const usersErrorLineSchema = z.strictObject({
  type: z.literal("error"),
  status: z.number().int().min(400).max(599),
  error: apiErrorSchema,
});
export const usersStreamLineSchema = z.discriminatedUnion("type", [usersProgressLineSchema, usersResultLineSchema, usersErrorLineSchema]);

export type UserDto = z.infer<typeof userDtoSchema>;
export type FetchProgress = z.infer<typeof fetchProgressSchema>;
export type DroppedRowDto = z.infer<typeof droppedRowSchema>;
export type IsolationSummary = z.infer<typeof isolationSummarySchema>;
export type DivisionUsersPayload = z.infer<typeof divisionUsersPayloadSchema>;
export type UsersStreamLine = z.infer<typeof usersStreamLineSchema>;
