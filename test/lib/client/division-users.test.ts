import { describe, expect, it } from "vitest";

import { ApiError } from "@/lib/client/api";
import { readStream, streamedUsers } from "@/lib/client/division-users";
import * as contract from "@/lib/shared/contract";
import { encodeUsers, type DivisionUsersWire, type UserRow } from "@/lib/shared/contract";

// The browser's reading of the NDJSON users stream: rows lines fill the table's store as they come, and the
// result line replaces them (a user streamed early who moved out since is not in it, so must not stay).

const DIVISION = "0dbfea33-22e6-4295-b232-27550f928017";

function row(id: string): UserRow {
  return { id, name: `User ${id}`, email: `${id}@example.test`, title: "Agent", department: "Care", state: "active" };
}

function result(users: UserRow[]): { type: "result" } & DivisionUsersWire {
  return {
    type: "result",
    division: { id: DIVISION, name: "Home", userCount: users.length },
    users: encodeUsers(users),
    meta: {
      fetchedAt: "2026-01-01T00:00:00.000Z",
      durationMs: 10,
      searchPages: 1,
      upstreamCalls: 2,
      consistent: true,
      isolation: { checked: 3, verified: users.length, droppedCount: 1, addedFromDirectory: 0, objectCount: users.length, countMatches: true, mode: "verify" },
    },
    cache: { freshness: "loaded", revalidating: false, stale: false },
  };
}

/** A response body we feed line by line; `next` resolves once the reader has taken everything sent so far. */
function body() {
  let controller!: ReadableStreamDefaultController<Uint8Array<ArrayBuffer>>;
  const stream = new ReadableStream<Uint8Array<ArrayBuffer>>({ start: (c) => void (controller = c) });
  const encoder = new TextEncoder();
  return {
    stream,
    send: (line: unknown) => controller.enqueue(encoder.encode(JSON.stringify(line) + "\n") as Uint8Array<ArrayBuffer>),
    close: () => controller.close(),
  };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe("readStream", () => {
  it("keeps the rows streamed so far, then returns the result, which replaces them", async () => {
    const b = body();
    const reading = readStream(DIVISION, b.stream, contract);
    b.send({ type: "progress", phase: "searching", pagesDone: 1, pagesTotal: 3, rows: 0, expected: 3 });
    b.send({ type: "rows", users: encodeUsers([row("a"), row("b")]), verified: 2, expected: 3 });
    b.send({ type: "rows", users: encodeUsers([row("c")]), verified: 3, expected: 3 });
    await settle();
    expect(streamedUsers(DIVISION)).toEqual({ users: [row("a"), row("b"), row("c")], verified: 3, expected: 3 });

    // "b" left the division before the fetch ended: the result does not have them.
    b.send(result([row("a"), row("c")]));
    const payload = await reading;
    expect(payload.users.map((u) => u.id)).toEqual(["a", "c"]);
    expect(streamedUsers(DIVISION)).toBeNull();
  });

  it("forgets the streamed rows when the fetch fails after them", async () => {
    const b = body();
    const reading = readStream(DIVISION, b.stream, contract);
    b.send({ type: "rows", users: encodeUsers([row("a")]), verified: 1, expected: 3 });
    await settle();
    expect(streamedUsers(DIVISION)?.users).toEqual([row("a")]);
    b.send({ type: "error", status: 504, error: { code: "upstream_timeout", message: "Genesys Cloud did not answer in time." } });
    await expect(reading).rejects.toBeInstanceOf(ApiError);
    expect(streamedUsers(DIVISION)).toBeNull();
  });
});
