import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { RowsBatch, UserDto } from "@/lib/server/divisions/fetch";
import { batchedRows, ndjsonResponse } from "@/lib/server/http/responses";

// Rows lines of a cold fetch: the first batch at once, later ones gathered per 100 ms, nothing after stop().

function batch(ids: string[], verified: number): RowsBatch {
  const users = ids.map((id): UserDto => ({ id, name: id, email: "", username: "", title: "", department: "", state: "active", divisionId: "d", divisionName: "D" }));
  return { users, verified, expected: 10 };
}

describe("batchedRows", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends the first batch at once and gathers the next ones for 100 ms, with the latest count", () => {
    const sent: RowsBatch[] = [];
    const rows = batchedRows((b) => sent.push(b));
    rows.add(batch(["a"], 1));
    expect(sent.map((b) => b.users.map((u) => u.id))).toEqual([["a"]]);
    rows.add(batch(["b"], 2));
    rows.add(batch(["c", "d"], 4));
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(sent.map((b) => [b.users.map((u) => u.id), b.verified])).toEqual([
      [["a"], 1],
      [["b", "c", "d"], 4],
    ]);
    vi.advanceTimersByTime(1_000);
    rows.add(batch(["e"], 5));
    expect(sent).toHaveLength(3);
  });

  it("drops what it still holds on stop: the result line that follows replaces every row", () => {
    const sent: RowsBatch[] = [];
    const rows = batchedRows((b) => sent.push(b));
    rows.add(batch(["a"], 1));
    rows.add(batch(["b"], 2));
    rows.stop();
    vi.advanceTimersByTime(1_000);
    expect(sent).toHaveLength(1);
  });
});

describe("ndjsonResponse", () => {
  it("when the viewer goes away mid-stream, the work finishes and its later lines are dropped, not thrown", async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let finished = false;
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      const res = await ndjsonResponse(
        async (send) => {
          send({ type: "progress", n: 1 });
          await released;
          send({ type: "progress", n: 2 });
          finished = true;
          return "done";
        },
        { line: (v) => JSON.stringify({ type: "result", v }) },
        () => undefined,
      );
      const reader = res.body?.getReader();
      expect(new TextDecoder().decode((await reader?.read())?.value)).toBe('{"type":"progress","n":1}\n');
      await reader?.cancel();
      release();
      await new Promise((r) => setTimeout(r, 20));
      expect(finished).toBe(true);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
