import "server-only";

import type { DivisionUsersPayload, UserDto } from "@/lib/shared/api-types";

import type { AuthorizedDivision } from "./access-gate";
import type { CachedResult } from "./cache";
import type { StaffAccess } from "@/lib/server/staff";

// What the users route returns, shaped for the caller's role. Dropped rows name users of *other*
// divisions, so only admins get them; managers get the count, in neutral words, and nothing else.

/**
 * The users array's JSON, made once per cached result: a warm 12,000-user division is ~3 MB of JSON, and
 * stringifying it anew for each of many viewers cost more than the rest of the request together.
 */
const usersJson = new WeakMap<readonly UserDto[], string>();

/** The payload as JSON text (`extra` fields first, e.g. NDJSON's `type`), reusing the users' JSON. */
export function payloadJson(payload: DivisionUsersPayload, extra: Record<string, string> = {}): string {
  const { users, ...rest } = payload;
  let list = usersJson.get(users);
  if (list === undefined) {
    list = JSON.stringify(users);
    usersJson.set(users, list);
  }
  const head = JSON.stringify({ ...extra, ...rest });
  return `${head.slice(0, -1)},"users":${list}}`;
}

export function toPayload(division: AuthorizedDivision, result: CachedResult, staff: StaffAccess): DivisionUsersPayload {
  const { value } = result;
  const iso = value.meta.isolation;
  const admin = staff.isAdmin;
  const refreshError = result.refreshError;
  const correlationId = refreshError?.details?.correlationId;
  return {
    division: { id: division.id, name: value.division.name, userCount: iso.objectCount },
    users: value.users,
    meta: {
      fetchedAt: value.meta.fetchedAt,
      durationMs: value.meta.durationMs,
      searchPages: value.meta.searchPages,
      upstreamCalls: value.meta.upstreamCalls,
      consistent: value.meta.consistent,
      ...(admin ? { consistencyNotes: value.meta.consistencyNotes } : {}),
      isolation: {
        checked: iso.checked,
        verified: iso.verified,
        droppedCount: iso.dropped.length,
        addedFromDirectory: iso.addedFromDirectory,
        objectCount: iso.objectCount,
        countMatches: iso.countMatches,
        mode: iso.mode,
        ...(admin ? { dropped: iso.dropped.map((d) => ({ ...d })) } : {}),
      },
    },
    cache: {
      freshness: result.freshness,
      ageSeconds: Math.round(result.ageMs / 1000),
      revalidating: result.revalidating,
      stale: result.freshness === "stale",
      ...(refreshError
        ? {
            refreshError: {
              code: refreshError.code,
              message: refreshError.message,
              ...(admin && typeof correlationId === "string" ? { correlationId } : {}),
            },
          }
        : {}),
    },
  };
}
