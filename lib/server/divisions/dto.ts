import "server-only";

import type { z } from "zod";

import type { StaffAccess } from "@/lib/server/staff";
import { asciiJson, encodeUsers, type DivisionInfo, type DivisionSummary, type DivisionUsersWire, type UserDto, type usersRowsLineSchema } from "@/lib/shared/contract";
import { DEFAULT_VIEW, sortRows } from "@/lib/shared/user-view";

import type { AuthorizedDivision } from "./authorized";
import type { CachedResult } from "./cache";
import type { DirectoryDivision } from "./directory";
import type { RowsBatch } from "./fetch-types";

// What the BFF tells the browser about divisions. The users payload is shaped for the caller's role: dropped
// rows name users of *other* divisions, so only admins get them; managers get the count, in neutral words.

/**
 * The users in their wire form, and its JSON, made once per cached result: a warm 12,000-user division is
 * 1.4 MB of JSON, and building it anew for each of many viewers cost more than the rest of the request.
 */
const usersJson = new WeakMap<readonly UserDto[], string>();

function usersJsonOf(users: readonly UserDto[]): string {
  let json = usersJson.get(users);
  // In the table's default order, so that the browser finds them sorted (lib/shared/user-view.ts).
  if (json === undefined) usersJson.set(users, (json = asciiJson(JSON.stringify(encodeUsers(sortRows(users, DEFAULT_VIEW))))));
  return json;
}

/** A payload as built by `toPayload`, with its users still to be serialised (once per cached result). */
export type PayloadParts = Omit<DivisionUsersWire, "users"> & { users: readonly UserDto[] };

/**
 * The payload as JSON text (`extra` fields first, e.g. NDJSON's `type`), reusing the users' JSON. All ASCII
 * (`asciiJson`): the browser reads it faster.
 */
export function payloadJson(payload: PayloadParts, extra: Record<string, string> = {}): string {
  const { users, ...rest } = payload;
  const head = asciiJson(JSON.stringify({ ...extra, ...rest }));
  return `${head.slice(0, -1)},"users":${usersJsonOf(users)}}`;
}

/**
 * What makes two callers' payloads of one cached result differ: the role (admins see dropped rows and notes)
 * and the cache state reported. Equal keys, equal bytes: the key names a memoised, compressed body.
 */
export function payloadVariant(payload: PayloadParts): string {
  return JSON.stringify([payload.meta.consistencyNotes !== undefined, payload.cache]);
}

export function toPayload(division: AuthorizedDivision, result: CachedResult, staff: StaffAccess): PayloadParts {
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

/** An NDJSON rows line: the same fields of a user for every role, like the result's users. */
export function rowsLine(batch: RowsBatch): z.input<typeof usersRowsLineSchema> {
  return { type: "rows", users: encodeUsers(batch.users), verified: batch.verified, expected: batch.expected };
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
