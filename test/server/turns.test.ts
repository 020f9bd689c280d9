import { describe, expect, it } from "vitest";

import { TurnQueue } from "@/server/turns.mjs";

const nextTurn = () => new Promise((r) => setImmediate(r));

describe("TurnQueue", () => {
  it("runs a task at once when no connection has just arrived", () => {
    const turns = new TurnQueue();
    let ran = false;
    turns.run(() => (ran = true));
    expect(ran).toBe(true);
    expect(turns.size).toBe(0);
  });

  it("while connections arrive, starts one task per turn of the event loop, in arrival order", async () => {
    const turns = new TurnQueue();
    turns.connected();
    const ran: number[] = [];
    for (const i of [0, 1, 2, 3]) turns.run(() => ran.push(i));
    expect(ran).toEqual([]);
    await nextTurn();
    expect(ran).toEqual([0]);
    await nextTurn();
    expect(ran).toEqual([0, 1]);
    // A task that comes later waits behind those already queued, even once arrivals stop.
    turns.run(() => ran.push(4));
    await nextTurn();
    await nextTurn();
    expect(ran).toEqual([0, 1, 2, 3]);
    await nextTurn();
    expect(ran).toEqual([0, 1, 2, 3, 4]);
    expect(turns.size).toBe(0);
  });

  it("once connections stop arriving, the whole queue starts in one turn, and new tasks at once again", async () => {
    const turns = new TurnQueue();
    turns.connected();
    const ran: number[] = [];
    for (const i of [0, 1, 2, 3, 4, 5]) turns.run(() => ran.push(i));
    await nextTurn();
    expect(ran).toEqual([0]);
    await new Promise((r) => setTimeout(r, 80));
    await nextTurn();
    expect(ran).toEqual([0, 1, 2, 3, 4, 5]);
    turns.run(() => ran.push(6));
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});
