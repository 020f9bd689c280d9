import { describe, expect, it } from "vitest";

import { GroupCommit, type StampedEvent } from "@/lib/server/audit/group-commit";

// Events recorded in the same turn of the event loop are committed together, in order, and nobody's promise
// settles before their own event's commit (or its reported failure).

function event(rows: number): StampedEvent {
  return { action: "division.view", actor: null, outcome: "ok", rows, at: "2026-11-30T10:00:00.000Z" };
}

function harness(commit: (events: readonly StampedEvent[]) => void = () => undefined) {
  const batches: number[][] = [];
  const stored: number[] = [];
  const failed: number[] = [];
  let flush: (() => void) | null = null;
  const group = new GroupCommit(
    (events) => {
      commit(events);
      batches.push(events.map((e) => e.rows ?? -1));
    },
    { stored: (events) => stored.push(...events.map((e) => e.rows ?? -1)), failed: (events) => failed.push(...events.map((e) => e.rows ?? -1)) },
    (f) => {
      flush = f;
    },
  );
  const turn = () => {
    const f = flush;
    flush = null;
    f?.();
  };
  return { group, batches, stored, failed, turn, scheduled: () => flush !== null };
}

async function settled(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setTimeout(r, 0));
  return done;
}

describe("GroupCommit", () => {
  it("commits what was recorded before the loop turned as one batch, in order, then settles each caller", async () => {
    const h = harness();
    const promises = [1, 2, 3].map((n) => h.group.add(event(n)));
    expect(h.scheduled()).toBe(true);
    expect(await settled(promises[0] as Promise<void>)).toBe(false);
    h.turn();
    await Promise.all(promises);
    expect(h.batches).toEqual([[1, 2, 3]]);
    expect(h.stored).toEqual([1, 2, 3]);
    expect(h.group.pending).toBe(0);
  });

  it("schedules one flush per turn: later events go into the next batch", async () => {
    const h = harness();
    const first = h.group.add(event(1));
    h.turn();
    await first;
    const second = [h.group.add(event(2)), h.group.add(event(3))];
    expect(await settled(second[0] as Promise<void>)).toBe(false);
    h.turn();
    await Promise.all(second);
    expect(h.batches).toEqual([[1], [2, 3]]);
  });

  it("a failed commit is reported for each of its events and still settles their callers", async () => {
    const h = harness(() => {
      throw new Error("database is locked");
    });
    const promises = [h.group.add(event(1)), h.group.add(event(2))];
    h.turn();
    await Promise.all(promises);
    expect(h.failed).toEqual([1, 2]);
    expect(h.stored).toEqual([]);
  });

  it("splits a very large backlog into several transactions", () => {
    const h = harness();
    for (let i = 0; i < 600; i++) void h.group.add(event(i));
    h.turn();
    expect(h.batches.map((b) => b.length)).toEqual([256, 256, 88]);
    expect(h.batches.flat()).toEqual(Array.from({ length: 600 }, (_, i) => i));
  });

  it("an asynchronous commit (PostgreSQL): what is recorded while it is in flight goes in the next batch, in order", async () => {
    const commits: { rows: number[]; finish: () => void }[] = [];
    const stored: number[] = [];
    const group = new GroupCommit(
      (events) => new Promise<void>((resolve) => commits.push({ rows: events.map((e) => e.rows ?? -1), finish: resolve })),
      { stored: (events) => stored.push(...events.map((e) => e.rows ?? -1)), failed: () => undefined },
      (flush) => void setImmediate(flush),
    );
    const first = group.add(event(1));
    await new Promise((r) => setImmediate(r));
    expect(commits.map((c) => c.rows)).toEqual([[1]]);
    // Three more turns of the loop while the first commit is in flight: one batch after it, not three.
    const later: Promise<void>[] = [];
    for (const n of [2, 3, 4]) {
      later.push(group.add(event(n)));
      await new Promise((r) => setImmediate(r));
    }
    expect(commits).toHaveLength(1);
    expect(await settled(first)).toBe(false);
    commits[0]?.finish();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(commits.map((c) => c.rows)).toEqual([[1], [2, 3, 4]]);
    expect(await settled(later[0] as Promise<void>)).toBe(false);
    commits[1]?.finish();
    await Promise.all(later);
    expect(stored).toEqual([1, 2, 3, 4]);
  });

  it("a failure the report calls a refusal rejects its batch's callers (the view is then refused, not answered)", async () => {
    const refusal = new Error("buffer full");
    const group = new GroupCommit(() => Promise.reject(new Error("down")), { stored: () => undefined, failed: () => undefined, refusal: () => refusal });
    await expect(group.add(event(1))).rejects.toBe(refusal);
  });
});
