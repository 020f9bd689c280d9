// The planner's call estimates (fetch-plan.ts): a cached org pass began before the fetch's search, so the
// snapshot way pays for confirming the division's members too, by re-read or by a new pass, whichever is fewer.
import { describe, expect, it } from "vitest";

import { planFetch, searchCalls, snapshotCalls, type PlanInput } from "@/lib/server/divisions/fetch-plan";

const ORG = 15_000;
const documented: Omit<PlanInput, "expected" | "snapshotCached"> = { orgUsers: ORG, sortById: "ok", startsWithId: "ok" };

describe("snapshotCalls", () => {
  it("without a cached pass: the pass (500 users a page) and the inactive search with its re-read", () => {
    expect(snapshotCalls(ORG, false, 350)).toBe(30 + 2);
    expect(snapshotCalls(null, false, 350)).toBeNull();
  });

  it("with a cached pass: its members re-read (100 a call), or the org listed anew when that costs less", () => {
    expect(snapshotCalls(ORG, true, 350)).toBe(4 + 2);
    expect(snapshotCalls(ORG, true, 12_000)).toBe(30 + 2);
    expect(snapshotCalls(null, true, 350)).toBe(4 + 2);
    expect(snapshotCalls(ORG, true, null)).toBe(30 + 2);
    expect(snapshotCalls(null, true, null)).toBeNull();
  });
});

describe("planFetch with a cached pass", () => {
  it("searches a division of up to 100 users (2 calls) rather than confirm a pass (3)", () => {
    expect(searchCalls(40)).toBe(2);
    expect(planFetch({ ...documented, expected: 40, snapshotCached: true }).strategy).toBe("search");
  });

  it("takes the pass for a larger division, counting the confirming calls in its estimate", () => {
    const plan = planFetch({ ...documented, expected: 350, snapshotCached: true });
    expect(plan).toMatchObject({ strategy: "snapshot", estimate: { search: 8, snapshot: 6 } });
    expect(planFetch({ ...documented, expected: 12_000, snapshotCached: true }).estimate).toEqual({ search: 240, snapshot: 32 });
  });
});
