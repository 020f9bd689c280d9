import * as z from "zod/mini";

import { apiErrorSchema } from "./errors";

// GET /api/divisions/{id}/users: the JSON payload, and the NDJSON lines of the same route (progress and rows
// lines while a cold fetch runs, then one result or error line).

const count = z.int().check(z.nonnegative());

export const USER_STATES = ["active", "inactive"] as const;
export const ISOLATION_MODES = ["verify", "search-only", "fail-closed"] as const;
/** "moved-out": the org pass placed the user here, a read after the last search page elsewhere (or deleted). */
export const DROP_REASONS = ["search-division-mismatch", "directory-division-mismatch", "not-in-directory", "moved-out"] as const;
export const FRESHNESS = ["fresh", "stale", "loaded"] as const;
export const FETCH_PHASES = ["starting", "searching", "reconciling", "done"] as const;

export const isolationModeSchema = z.enum(ISOLATION_MODES);
export const freshnessSchema = z.enum(FRESHNESS);

/** A user as the BFF keeps it (cache, CSV export); the browser gets the slimmer rows below. */
export const userDtoSchema = z.strictObject({
  id: z.string().check(z.minLength(1)),
  name: z.string(),
  email: z.string(),
  username: z.string(),
  title: z.string(),
  department: z.string(),
  state: z.enum(USER_STATES),
  divisionId: z.string().check(z.minLength(1)),
  divisionName: z.string(),
});

/** A user as the table shows, sorts and filters it, and nothing more. */
export interface UserRow {
  id: string;
  name: string;
  email: string;
  title: string;
  department: string;
  state: (typeof USER_STATES)[number];
}

// The users on the wire. A 12,000-user division as an array of objects was 4.1 MB of JSON, two thirds of it
// key names, the division on every row and a username equal to the email. Here each user is one array
// [id, name, email, title index, department index, 1 active / 0 inactive], and each title and department is
// sent once: 1.4 MB for the same division (measured on the demo's Umbrella Health; 381 kB as brotli).
type WireRow = [id: string, name: string, email: string, title: number, department: number, active: 0 | 1];

const isIndex = (v: unknown, length: number): boolean => typeof v === "number" && Number.isInteger(v) && v >= 0 && v < length;

/** The rows of a wire table whose indexes point into `titles` and `departments`. */
function wireRowsValid(rows: unknown, titles: number, departments: number): rows is WireRow[] {
  if (!Array.isArray(rows)) return false;
  // Indexes rather than destructuring: this runs once per page load, before the JIT has optimised it, and
  // destructuring an array there walks its iterator (about half this loop's time in a browser CPU profile).
  for (let i = 0; i < rows.length; i++) {
    const row: unknown = rows[i];
    if (!Array.isArray(row) || row.length !== 6) return false;
    const id: unknown = row[0];
    if (typeof id !== "string" || id === "" || typeof row[1] !== "string" || typeof row[2] !== "string") return false;
    if (!isIndex(row[3], titles) || !isIndex(row[4], departments) || (row[5] !== 0 && row[5] !== 1)) return false;
  }
  return true;
}

// The rows are checked in one plain loop rather than by a z.tuple per row: zod runs every element of every
// tuple through its own parse (72,000 runs for 12,000 users), which cost the browser ~130 ms of main thread on
// the first parse of Umbrella Health's payload (measured in a CPU profile of the warm page), against ~1 ms here.
export const usersTableSchema = z
  .strictObject({ titles: z.array(z.string()), departments: z.array(z.string()), rows: z.custom<WireRow[]>((v) => Array.isArray(v), "rows must be an array") })
  .check(
    z.refine((table) => wireRowsValid(table.rows, table.titles.length, table.departments.length), {
      message: "each row must be [id, name, email, title index, department index, 0 | 1], indexes in range",
      path: ["rows"],
    }),
  );
export interface UsersTable {
  titles: string[];
  departments: string[];
  rows: WireRow[];
}

/** The wire table of `users` (titles and departments in order of first appearance). */
export function encodeUsers(users: readonly UserRow[]): UsersTable {
  const titles = new Map<string, number>();
  const departments = new Map<string, number>();
  const indexOf = (map: Map<string, number>, value: string) => {
    let i = map.get(value);
    if (i === undefined) map.set(value, (i = map.size));
    return i;
  };
  const rows = users.map((u): WireRow => [u.id, u.name, u.email, indexOf(titles, u.title), indexOf(departments, u.department), u.state === "active" ? 1 : 0]);
  return { titles: [...titles.keys()], departments: [...departments.keys()], rows };
}

/** The rows of a checked wire table. */
export function decodeUsers(table: z.output<typeof usersTableSchema>): UserRow[] {
  const { rows, titles, departments } = table;
  const users = new Array<UserRow>(rows.length);
  // A plain loop with indexes, for the reason given in wireRowsValid.
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as WireRow;
    users[i] = { id: row[0], name: row[1], email: row[2], title: titles[row[3]] ?? "", department: departments[row[4]] ?? "", state: row[5] === 1 ? "active" : "inactive" };
  }
  return users;
}

export const WAIT_REASONS = ["rate-limit", "budget"] as const;

export const fetchProgressSchema = z.strictObject({
  phase: z.enum(FETCH_PHASES),
  pagesDone: count,
  pagesTotal: count,
  rows: count,
  expected: z.nullable(count),
  /** Set while the fetch waits for Genesys' Retry-After ("rate-limit") or the per-minute request budget. */
  waiting: z.optional(z.strictObject({ reason: z.enum(WAIT_REASONS), seconds: count })),
});

export const droppedRowSchema = z.strictObject({
  id: z.string().check(z.minLength(1)),
  reason: z.enum(DROP_REASONS),
  searchDivisionId: z.optional(z.string()),
  directoryDivisionId: z.optional(z.string()),
});

export const isolationSummarySchema = z.strictObject({
  checked: count,
  verified: count,
  droppedCount: count,
  addedFromDirectory: count,
  objectCount: z.nullable(count),
  countMatches: z.boolean(),
  mode: isolationModeSchema,
  /** Admins only: the rows name users of other divisions. */
  dropped: z.optional(z.array(droppedRowSchema)),
});

/**
 * The users route's body. Parsing it decodes `users` into rows (z.output); the server builds the wire form
 * (z.input, `DivisionUsersWire`). Every field of it is fixed for one cached result and role, so the server can
 * serialise and compress it once (the age is the client's to work out from `fetchedAt`).
 */
export const divisionUsersPayloadSchema = z.strictObject({
  division: z.strictObject({ id: z.string().check(z.minLength(1)), name: z.string(), userCount: z.nullable(count) }),
  users: z.pipe(usersTableSchema, z.transform(decodeUsers)),
  meta: z.strictObject({
    fetchedAt: z.iso.datetime(),
    durationMs: z.number().check(z.nonnegative()),
    searchPages: count,
    upstreamCalls: count,
    consistent: z.boolean(),
    /** Admins only. */
    consistencyNotes: z.optional(z.array(z.string())),
    isolation: isolationSummarySchema,
  }),
  cache: z.strictObject({
    freshness: freshnessSchema,
    revalidating: z.boolean(),
    stale: z.boolean(),
    /** The refresh that should have replaced a stale value failed; correlationId for admins only. */
    refreshError: z.optional(z.strictObject({ code: z.string().check(z.minLength(1)), message: z.string(), correlationId: z.optional(z.string()) })),
  }),
});

export const usersProgressLineSchema = z.strictObject({ type: z.literal("progress"), ...fetchProgressSchema.shape });
/**
 * Users the live directory has placed in the division during this fetch, sent before the fetch is done so
 * that the table fills while the rest is read. Never a search row alone. The result line is authoritative:
 * its list replaces every row streamed before it (a user may have moved out since).
 */
export const usersRowsLineSchema = z.strictObject({
  type: z.literal("rows"),
  users: z.pipe(usersTableSchema, z.transform(decodeUsers)),
  /** Distinct users streamed so far, this line's included. */
  verified: count,
  /** Genesys' count of the division's users (null: unknown). */
  expected: z.nullable(count),
});
export const usersResultLineSchema = z.strictObject({ type: z.literal("result"), ...divisionUsersPayloadSchema.shape });
export const usersErrorLineSchema = z.strictObject({
  type: z.literal("error"),
  status: z.int().check(z.gte(400), z.lte(599)),
  error: apiErrorSchema,
});
export const usersStreamLineSchema = z.discriminatedUnion("type", [usersProgressLineSchema, usersRowsLineSchema, usersResultLineSchema, usersErrorLineSchema]);

export type UserDto = z.infer<typeof userDtoSchema>;
export type FetchProgress = z.infer<typeof fetchProgressSchema>;
export type DroppedRowDto = z.infer<typeof droppedRowSchema>;
export type IsolationSummary = z.infer<typeof isolationSummarySchema>;
export type DivisionUsersPayload = z.output<typeof divisionUsersPayloadSchema>;
export type DivisionUsersWire = z.input<typeof divisionUsersPayloadSchema>;
export type UsersStreamLine = z.output<typeof usersStreamLineSchema>;
export type UsersRowsLine = z.output<typeof usersRowsLineSchema>;
