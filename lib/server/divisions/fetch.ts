import "server-only";

import { type CallOptions, type GenesysClient, type ApiUser, type AuthzDivision, type UsersSearchResponse, appErrorFromUpstream, DIRECTORY_USER_VIEW, UpstreamError, WHOLE } from "@/lib/server/genesys";
import { AppError } from "@/lib/server/platform";
import type { UserDto } from "@/lib/shared/contract";

import type { DivisionUsers, FetchOptions } from "./fetch-types";
import { SearchRun } from "./search-run";
import { verifyMembership } from "./verify";

// Given a division, return exactly its users: all of them, none of another division's, as fast as the
// upstream allows; when that is impossible, say so precisely rather than return a partial list.

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
  const run = new SearchRun(client, divisionId, opts, call, null);
  const firstPage = run.page(WHOLE, 1);
  firstPage.catch(() => undefined);
  let division: AuthzDivision;
  try {
    const [found, permitted] = await Promise.all([client.getDivision(divisionId, call), client.divisionsPermitted(DIRECTORY_USER_VIEW, call)]);
    division = found;
    // Search with enforcePermissions silently returns nothing for a division we may not view, which would
    // look like an empty tenant: refuse instead, naming what is missing.
    if (!permitted.all && !permitted.divisions.some((d) => d.id === divisionId)) {
      throw new AppError(
        "upstream_forbidden",
        `Tenantscope's Genesys Cloud client lacks the permission ${DIRECTORY_USER_VIEW} in division "${division.name}".`,
        // The correlation id is that of Genesys' answer listing where the client does hold the permission.
        { details: { permission: DIRECTORY_USER_VIEW, divisionId, divisionName: division.name, ...(permitted.correlationId ? { correlationId: permitted.correlationId } : {}) } },
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
  head: { run: SearchRun; firstPage: Promise<UsersSearchResponse> },
  started: number,
  now: () => number,
  calls: () => number,
): Promise<DivisionUsers> {
  const expected = division.objectCounts?.USER ?? null;
  let run = head.run;
  let consistent = false;
  let attempts = 0;
  const notes: string[] = [];

  for (attempts = 1; attempts <= MAX_ATTEMPTS; attempts++) {
    if (attempts > 1) run = new SearchRun(client, division.id, opts, call, expected);
    consistent = await run.partition(WHOLE, 0, attempts === 1 ? head.firstPage : undefined);
    await Promise.all(run.pending);
    notes.push(...run.notes);
    if (consistent) break;
  }

  const last = run;
  const { members, dropped, addedFromDirectory, objectCount, countMatches, countNote } = await verifyMembership(
    client,
    division,
    { rows: last.rows, directory: last.directory, dropped: last.dropped.values(), consistent },
    { mode: opts.mode, call, expected, onReconcile: () => last.progress("reconciling") },
  );
  if (countNote) notes.push(countNote);

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
