import { describe, expect, it } from "vitest";

import { TurnQueue } from "@/server/turns.mjs";

const nextTurn = () => new Promise((r) => setImmediate(r));

/** A queue on a clock the test moves: "arriving" is the 50 ms after connected(). */
function queueAt(start = 1_000) {
  const clock = { now: start };
  const errors: unknown[] = [];
  const turns = new TurnQueue({ now: () => clock.now, onError: (e) => errors.push(e) });
  return { turns, clock, errors };
}

describe("TurnQueue", () => {
  it("runs a task at once when no connection has just arrived", () => {
    const { turns } = queueAt();
    let ran = false;
    turns.run(() => (ran = true));
    expect(ran).toBe(true);
    expect(turns.size).toBe(0);
  });

  it("while connections arrive, starts one task per turn of the event loop, in arrival order", async () => {
    const { turns } = queueAt();
    turns.connected();
    const ran: number[] = [];
    for (const i of [0, 1, 2, 3]) turns.run(() => ran.push(i));
    expect(ran).toEqual([]);
    for (const expected of [[0], [0, 1], [0, 1, 2]]) {
      await nextTurn();
      expect(ran).toEqual(expected);
    }
    // A task that comes later waits behind those already queued.
    turns.run(() => ran.push(4));
    await nextTurn();
    expect(ran).toEqual([0, 1, 2, 3]);
    await nextTurn();
    expect(ran).toEqual([0, 1, 2, 3, 4]);
    expect(turns.size).toBe(0);
  });

  it("once connections stop arriving, the whole queue starts in one turn, and new tasks at once again", async () => {
    const { turns, clock } = queueAt();
    turns.connected();
    const ran: number[] = [];
    for (const i of [0, 1, 2, 3, 4, 5]) turns.run(() => ran.push(i));
    await nextTurn();
    expect(ran).toEqual([0]);
    clock.now += 51;
    await nextTurn();
    expect(ran).toEqual([0, 1, 2, 3, 4, 5]);
    turns.run(() => ran.push(6));
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("a task that throws is reported, and the queue goes on", async () => {
    const { turns, clock, errors } = queueAt();
    turns.connected();
    const ran: number[] = [];
    turns.run(() => {
      throw new Error("boom");
    });
    turns.run(() => ran.push(1));
    await nextTurn();
    expect(errors).toEqual([new Error("boom")]);
    await nextTurn();
    expect(ran).toEqual([1]);
    clock.now += 51;
    turns.run(() => {
      throw new Error("at once");
    });
    expect(errors).toHaveLength(2);
    turns.run(() => ran.push(2));
    expect(ran).toEqual([1, 2]);
  });

  it("keeps order and count across the compaction of a long queue", async () => {
    const { turns, clock } = queueAt();
    turns.connected();
    const ran: number[] = [];
    for (let i = 0; i < 3_000; i++) turns.run(() => ran.push(i));
    for (let t = 0; t < 1_500; t++) await nextTurn();
    expect(ran).toHaveLength(1_500);
    expect(turns.size).toBe(1_500);
    clock.now += 51;
    await nextTurn();
    expect(ran).toEqual(Array.from({ length: 3_000 }, (_, i) => i));
    expect(turns.size).toBe(0);
  });
});
