import "server-only";

import type { ApiUser, CallOptions, GenesysClient } from "@/lib/server/genesys";

import { readMark, type OrgSnapshot } from "./org-snapshot-pass";

// The confirming read. Search pages and an org pass say who *was* in the division when each was read, and
// users move while a fetch pages (issue 12, finding 7: a user who left mid-fetch was served and cached).
// So a row is served only when a read made after the fetch's last search page places it in the division:
// the bulk re-read below, or an org pass that began after that page.

/** GET /api/v2/users?id=… takes at most this many ids per call. */
export const IDS_PER_READ = 100;

export function readCalls(ids: number): number {
  return Math.ceil(ids / IDS_PER_READ);
}

export { readMark };

/** Whether the pass began after `searchEnded` (a pass read by another instance carries no mark: not known, so no). */
export function readAfter(snapshot: OrgSnapshot, searchEnded: number): boolean {
  return snapshot.readStartedAt !== undefined && snapshot.readStartedAt > searchEnded;
}

/**
 * The live directory's answer for each id (null: not in the directory), `IDS_PER_READ` ids a call, the calls side
 * by side (the client paces them); `onBatch` hears each call's answers, for the ids it asked only.
 */
export async function readDirectory(client: GenesysClient, ids: Iterable<string>, call: CallOptions, onBatch?: (answers: (ApiUser | null)[]) => void): Promise<Map<string, ApiUser | null>> {
  const unique = [...new Set(ids)];
  const answers = new Map<string, ApiUser | null>();
  const batches = Array.from({ length: readCalls(unique.length) }, (_, i) => unique.slice(i * IDS_PER_READ, (i + 1) * IDS_PER_READ));
  await Promise.all(
    batches.map(async (batch) => {
      const users = await client.getUsersByIds(batch, call);
      const byId = new Map(users.map((u) => [u.id, u]));
      for (const id of batch) answers.set(id, byId.get(id) ?? null);
      onBatch?.(batch.map((id) => byId.get(id) ?? null));
    }),
  );
  return answers;
}
