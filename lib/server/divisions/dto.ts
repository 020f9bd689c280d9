import "server-only";

import type { StaffAccess } from "@/lib/server/staff";
import type { DivisionInfo, DivisionSummary, DivisionUsersPayload, UserDto } from "@/lib/shared/contract";


import type { AuthorizedDivision } from "./authorized";
import type { CachedResult } from "./cache";
import type { DirectoryDivision } from "./directory";

// What the BFF tells the browser about divisions. The users payload is shaped for the caller's role: dropped
// rows name users of *other* divisions, so only admins get them; managers get the count, in neutral words.

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

/** A division as the home page and GET /api/divisions list it. */
export function toDivisionSummary(d: DirectoryDivision): DivisionSummary {
  return { ...toDivisionInfo(d), reachable: d.reachable };
}

export function toDivisionInfo(d: DirectoryDivision): DivisionInfo {
  return { id: d.id, name: d.name, description: d.description, userCount: d.userCount };
}

/** The isolation figures of a result, as the audit trail records them. */
export function isolationOf(result: CachedResult): { checked: number; verified: number; dropped: number; countMatches: boolean; consistent: boolean } {
  const iso = result.value.meta.isolation;
  return { checked: iso.checked, verified: iso.verified, dropped: iso.dropped.length, countMatches: iso.countMatches, consistent: result.value.meta.consistent };
}
