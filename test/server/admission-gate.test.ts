import { describe, expect, it } from "vitest";

import { AdmissionGate, bypassesGate, isProgressStream, ShedError, Slot } from "@/server/admission-gate.mjs";

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("AdmissionGate", () => {
  it("admits up to the limit at once and the rest in arrival order", async () => {
    const gate = new AdmissionGate({ limit: 2, maxQueue: 10, maxWaitMs: 10_000 });
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const entries = [0, 1, 2, 3, 4].map((i) =>
      gate.enter().then((release) => {
        order.push(i);
        releases.push(release);
      }),
    );
    await settle();
    expect(order).toEqual([0, 1]);
    expect(gate.stats()).toMatchObject({ active: 2, queued: 3 });

    releases[0]?.();
    await settle();
    expect(order).toEqual([0, 1, 2]);
    // A newcomer does not overtake those already waiting, even when a slot has just been handed on.
    const late = gate.enter().then((release) => {
      order.push(99);
      releases.push(release);
    });
    releases[1]?.();
    releases[2]?.();
    await settle();
    expect(order).toEqual([0, 1, 2, 3, 4]);
    releases[3]?.();
    await late;
    expect(order).toEqual([0, 1, 2, 3, 4, 99]);
    for (const r of releases) r();
    await Promise.all(entries);
    expect(gate.stats()).toMatchObject({ active: 0, queued: 0, admitted: 6, shed: 0 });
  });

  it("a release called twice frees one slot only", async () => {
    const gate = new AdmissionGate({ limit: 1, maxQueue: 10, maxWaitMs: 10_000 });
    const first = await gate.enter();
    const waiting = [gate.enter(), gate.enter()];
    first();
    first();
    await settle();
    expect(gate.stats()).toMatchObject({ active: 1, queued: 1 });
    (await waiting[0])?.();
    (await waiting[1])?.();
    expect(gate.stats().active).toBe(0);
  });

  it("sheds when the queue is full, and when a request waited too long", async () => {
    const gate = new AdmissionGate({ limit: 1, maxQueue: 1, maxWaitMs: 50 });
    const held = await gate.enter();
    const queued = gate.enter();
    await expect(gate.enter()).rejects.toMatchObject({ reason: "queue_full" });
    await expect(queued).rejects.toBeInstanceOf(ShedError);
    await expect(queued).rejects.toMatchObject({ reason: "queue_timeout" });
    expect(gate.stats()).toMatchObject({ active: 1, queued: 0, shed: 2, shedByReason: { queue_full: 1, queue_timeout: 1 } });
    held();
    expect(gate.stats().active).toBe(0);
  });

  it("drops a waiter whose client went away, without counting it as shed", async () => {
    const gate = new AdmissionGate({ limit: 1, maxQueue: 10, maxWaitMs: 10_000 });
    const held = await gate.enter();
    const gone = new AbortController();
    const abandoned = gate.enter(gone.signal);
    const next = gate.enter();
    gone.abort();
    await expect(abandoned).rejects.toMatchObject({ reason: "client_gone" });
    held();
    const release = await next;
    expect(gate.stats()).toMatchObject({ active: 1, queued: 0, shed: 0, admitted: 2 });
    release();
  });

  it("on close sheds the queue and waits for running requests", async () => {
    const gate = new AdmissionGate({ limit: 1, maxQueue: 10, maxWaitMs: 10_000 });
    const held = await gate.enter();
    const queued = gate.enter();
    let closed = false;
    const closing = gate.close().then(() => {
      closed = true;
    });
    await expect(queued).rejects.toMatchObject({ reason: "shutting_down" });
    await expect(gate.enter()).rejects.toMatchObject({ reason: "shutting_down" });
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    held();
    await closing;
    expect(closed).toBe(true);
  });

  it("on close also waits for a request that gave its slot back while it waits on Genesys", async () => {
    const gate = new AdmissionGate({ limit: 1, maxQueue: 10, maxWaitMs: 10_000 });
    const slot = new Slot(gate, await gate.enter());
    slot.suspend();
    expect(gate.stats()).toMatchObject({ active: 0, suspended: 1 });
    let closed = false;
    const closing = gate.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    slot.resume();
    slot.finish();
    await closing;
    expect(closed).toBe(true);
  });
});

describe("Slot: a request waiting on I/O gives its slot back", () => {
  it("lets the next in line run during the wait, takes a slot back at once, and holds newcomers until below the limit", async () => {
    const gate = new AdmissionGate({ limit: 1, maxQueue: 10, maxWaitMs: 10_000 });
    const slot = new Slot(gate, await gate.enter());
    const order: string[] = [];
    const queued = gate.enter().then((release) => {
      order.push("queued ran");
      return release;
    });
    await settle();
    expect(order).toEqual([]);
    slot.suspend();
    const releaseQueued = await queued;
    expect(order).toEqual(["queued ran"]);
    expect(gate.stats()).toMatchObject({ active: 1, suspended: 1 });
    const newcomer = gate.enter().then((release) => {
      order.push("newcomer ran");
      return release;
    });
    // The wait ends: back at once, over the limit.
    slot.resume();
    expect(gate.stats()).toMatchObject({ active: 2, suspended: 0, queued: 1 });
    // One finishing brings the count to the limit, not a newcomer in: the second one finishing does.
    releaseQueued();
    await settle();
    expect(order).toEqual(["queued ran"]);
    expect(gate.stats()).toMatchObject({ active: 1, queued: 1 });
    slot.finish();
    (await newcomer)();
    expect(order).toEqual(["queued ran", "newcomer ran"]);
    expect(gate.stats().active).toBe(0);
  });

  it("cannot deadlock: every slot held by requests waiting for the one that resumes", async () => {
    const gate = new AdmissionGate({ limit: 1, maxQueue: 10, maxWaitMs: 10_000 });
    // A loads something B waits for (a shared in-flight promise); B took A's slot during A's wait.
    const a = new Slot(gate, await gate.enter());
    let loaded: () => void = () => undefined;
    const shared = new Promise<void>((r) => (loaded = r));
    a.suspend();
    const b = gate.enter().then(async (release) => {
      await shared;
      release();
      return "b done";
    });
    await settle();
    a.resume();
    loaded();
    a.finish();
    expect(await b).toBe("b done");
    expect(gate.stats()).toMatchObject({ active: 0, queued: 0, suspended: 0 });
  });

  it("nested waits give the slot back once and take it back after the last", async () => {
    const gate = new AdmissionGate({ limit: 1, maxQueue: 10, maxWaitMs: 10_000 });
    const slot = new Slot(gate, await gate.enter());
    slot.suspend();
    slot.suspend();
    expect(gate.stats()).toMatchObject({ active: 0, suspended: 1 });
    slot.resume();
    expect(gate.stats()).toMatchObject({ active: 0, suspended: 1 });
    slot.resume();
    slot.resume();
    expect(gate.stats()).toMatchObject({ active: 1, suspended: 0 });
    slot.finish();
    slot.finish();
    expect(gate.stats().active).toBe(0);
  });

  it("a request that ends while suspended leaves nothing held", async () => {
    const gate = new AdmissionGate({ limit: 1, maxQueue: 10, maxWaitMs: 10_000 });
    const a = new Slot(gate, await gate.enter());
    a.suspend();
    a.finish();
    a.resume();
    expect(gate.stats()).toMatchObject({ active: 0, suspended: 0 });
  });
});

describe("bypassesGate", () => {
  it("lets probes, metrics and static files through, whatever the headers, and nothing else", () => {
    expect(bypassesGate({ url: "/api/health" })).toBe(true);
    expect(bypassesGate({ url: "/api/health/live" })).toBe(true);
    expect(bypassesGate({ url: "/api/metrics?x=1" })).toBe(true);
    expect(bypassesGate({ url: "/_next/static/chunks/a.js" })).toBe(true);
    expect(bypassesGate({ url: "/api/divisions/x/users" })).toBe(false);
    expect(bypassesGate({ url: "/divisions/x" })).toBe(false);
    expect(bypassesGate({ url: "/api/healthz" })).toBe(false);
    expect(bypassesGate({ url: "/_next/image?url=x" })).toBe(false);
  });
});

describe("isProgressStream", () => {
  const users = "/api/divisions/3ad9a77b-71c4-4450-830c-7d0acfe528f1/users";
  const ndjson = { accept: "application/x-ndjson" };

  it("is the users route's GET or forced-refresh POST with an NDJSON Accept header (server/index.mjs then checks the session)", () => {
    expect(isProgressStream({ url: users, method: "GET", headers: ndjson })).toBe(true);
    expect(isProgressStream({ url: users, method: "POST", headers: ndjson })).toBe(true);
  });

  it("is not any other path, method or Accept header: the header alone lets nothing past the gate", () => {
    expect(isProgressStream({ url: "/signin", method: "GET", headers: ndjson })).toBe(false);
    expect(isProgressStream({ url: "/api/divisions", method: "GET", headers: ndjson })).toBe(false);
    expect(isProgressStream({ url: `${users}.csv`, method: "GET", headers: ndjson })).toBe(false);
    expect(isProgressStream({ url: `/api/divisions/x/users`, method: "GET", headers: ndjson })).toBe(false);
    expect(isProgressStream({ url: users, method: "PUT", headers: ndjson })).toBe(false);
    expect(isProgressStream({ url: users, method: "DELETE", headers: ndjson })).toBe(false);
    expect(isProgressStream({ url: users, method: "GET", headers: { accept: "application/json" } })).toBe(false);
  });
});
