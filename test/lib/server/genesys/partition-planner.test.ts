// The id-prefix partition planner: every plan and every split must cover each id exactly once (a gap would
// silently lose users, an overlap would double-fetch them), never produce an empty partition, and stay within
// the 16-way fan-out the hex alphabet allows.
import { describe, expect, it } from "vitest";

import { chunk, planPartitions, splitPartition, WHOLE, type Partition } from "@/lib/server/genesys/partition-planner";
import { ID_ALPHABET, PARTITION_TARGET } from "@/lib/server/genesys/search-assumptions";

const HEX = "0123456789abcdef".split("");

/** Every hex string of `length` characters (16^length of them). */
function hexStrings(length: number): string[] {
  let out = [""];
  for (let i = 0; i < length; i++) out = out.flatMap((s) => HEX.map((c) => s + c));
  return out;
}

/** Whether an id starting with `id` falls into `part` (an empty prefix list is the whole division). */
function covers(part: Partition, id: string): boolean {
  return part.prefixes.length === 0 || part.prefixes.some((p) => id.startsWith(p));
}

/** How many of `parts` cover each id, for ids of `length` hex characters. */
function coverageCounts(parts: readonly Partition[], length: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of hexStrings(length)) counts.set(id, parts.filter((p) => covers(p, id)).length);
  return counts;
}

/** Asserts that `parts` cover exactly the ids `domain` covers, each exactly once (checked to `length` chars). */
function expectExactCover(parts: readonly Partition[], domain: Partition, length: number): void {
  for (const [id, count] of coverageCounts(parts, length)) {
    expect(count, `id prefix ${id}`).toBe(covers(domain, id) ? 1 : 0);
  }
}

function expectWellFormed(parts: readonly Partition[]): void {
  expect(parts.length).toBeGreaterThan(0);
  expect(parts.length).toBeLessThanOrEqual(16);
  for (const part of parts) {
    for (const prefix of part.prefixes) expect(prefix).toMatch(/^[0-9a-f]+$/);
    // No duplicate prefix inside a partition, and at most the 50 values a search criterion takes.
    expect(new Set(part.prefixes).size).toBe(part.prefixes.length);
    expect(part.prefixes.length).toBeLessThanOrEqual(50);
  }
}

describe("search assumptions the planner relies on", () => {
  it("the id alphabet is exactly the 16 lowercase hex digits, once each", () => {
    expect([...ID_ALPHABET].sort()).toEqual(HEX);
    expect(PARTITION_TARGET).toBeLessThan(10_000);
  });
});

describe("planPartitions", () => {
  it.each([0, 1, 8_000])("plans one whole-division partition for %i users", (expected) => {
    const plan = planPartitions(expected);
    expect(plan).toEqual([WHOLE]);
    expect(plan[0]?.prefixes).toEqual([]);
    expectExactCover(plan, WHOLE, 2);
  });

  it.each([
    [8_001, 2],
    [12_035, 2],
    [16_001, 3],
    [100_000, 13],
    [1_000_000, 16],
  ])("splits %i users into %i id-prefix partitions covering every first hex digit exactly once", (expected, parts) => {
    const plan = planPartitions(expected);
    expectWellFormed(plan);
    expect(plan).toHaveLength(parts);
    for (const part of plan) expect(part.prefixes.length).toBeGreaterThan(0);
    // Each first character appears in exactly one partition…
    const firstChars = plan.flatMap((p) => p.prefixes.map((prefix) => prefix[0]));
    expect([...firstChars].sort()).toEqual(HEX);
    // …and so every id (checked to two characters) falls into exactly one partition.
    expectExactCover(plan, WHOLE, 2);
  });

  it("never plans more than 16 partitions, and a plan of n parts holds about expected/n users each", () => {
    for (const expected of [8_001, 9_999, 10_000, 24_000, 40_000, 64_000, 128_000, 128_001, 10 ** 7]) {
      const plan = planPartitions(expected);
      expectWellFormed(plan);
      expectExactCover(plan, WHOLE, 1);
      expect(plan.length).toBe(Math.min(16, Math.ceil(expected / PARTITION_TARGET)));
      // Partitions are near-equal: sizes (in first characters) differ by at most one.
      const sizes = plan.map((p) => p.prefixes.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
});

describe("splitPartition", () => {
  it("splits the whole division into first-character partitions covering everything exactly once", () => {
    for (const total of [10_000, 12_035, 20_000, 100_000, 10 ** 6]) {
      const parts = splitPartition(WHOLE, total);
      expectWellFormed(parts);
      expect(parts.length).toBeGreaterThanOrEqual(2);
      for (const part of parts) expect(part.prefixes.length).toBeGreaterThan(0);
      expectExactCover(parts, WHOLE, 2);
    }
  });

  it("splits a multi-prefix partition into at least two non-empty parts over the same prefixes", () => {
    const cases: [Partition, number][] = [
      [{ prefixes: ["0", "1", "2", "3", "4", "5", "6", "7"] }, 10_000],
      [{ prefixes: ["8", "9", "a", "b", "c", "d", "e", "f"] }, 60_000],
      [{ prefixes: ["a", "b"] }, 10_000],
      [{ prefixes: ["a", "b"] }, 1_000_000],
      [{ prefixes: ["3", "4", "5"] }, 25_000],
      // Prefixes already extended by an earlier split.
      [{ prefixes: ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"] }, 10_001],
    ];
    for (const [part, total] of cases) {
      const parts = splitPartition(part, total);
      expectWellFormed(parts);
      expect(parts.length).toBeGreaterThanOrEqual(2);
      expect(parts.length).toBeLessThanOrEqual(part.prefixes.length);
      for (const p of parts) expect(p.prefixes.length).toBeGreaterThan(0);
      // Exactly the original prefixes, each in exactly one part, nothing added.
      expect(parts.flatMap((p) => p.prefixes).sort()).toEqual([...part.prefixes].sort());
      expectExactCover(parts, part, 3);
    }
  });

  it("extends a single-prefix partition by one more hex digit and covers that prefix exactly once", () => {
    const cases: [Partition, number][] = [
      [{ prefixes: ["a"] }, 10_000],
      [{ prefixes: ["0"] }, 40_000],
      [{ prefixes: ["f"] }, 10 ** 6],
      [{ prefixes: ["7c"] }, 12_000],
    ];
    for (const [part, total] of cases) {
      const [only] = part.prefixes;
      const parts = splitPartition(part, total);
      expectWellFormed(parts);
      expect(parts.length).toBeGreaterThanOrEqual(2);
      expect(parts.length).toBe(Math.max(2, Math.min(16, Math.ceil(total / PARTITION_TARGET))));
      for (const p of parts) {
        expect(p.prefixes.length).toBeGreaterThan(0);
        for (const prefix of p.prefixes) expect(prefix).toHaveLength((only ?? "").length + 1);
      }
      expect(parts.flatMap((p) => p.prefixes).sort()).toEqual(HEX.map((c) => `${only}${c}`));
      expectExactCover(parts, part, 3);
    }
  });

  it("can be applied repeatedly (as division-fetch does up to depth 4) without losing or duplicating ids", () => {
    // Keep splitting the first part (whole → first digits → 2-digit → 3-digit → 4-digit prefixes) while the
    // other parts stay as they are; after each step the union must still cover every id exactly once.
    let level: Partition[] = [WHOLE];
    for (let depth = 0; depth < 4; depth++) {
      const [first, ...rest] = level;
      if (!first) throw new Error("no partition left");
      level = [...splitPartition(first, 10 ** 6), ...rest];
      const longest = Math.max(...level.flatMap((p) => p.prefixes.map((prefix) => prefix.length)));
      expect(longest).toBe(depth + 1);
      expectExactCover(level, WHOLE, Math.max(2, longest));
      for (const p of level) expect(p.prefixes.length).toBeGreaterThan(0);
    }
  });
});

describe("chunk", () => {
  it("splits into n contiguous, near-equal, non-empty groups that concatenate back to the input", () => {
    const items = Array.from({ length: 16 }, (_, i) => i);
    for (let n = 1; n <= 16; n++) {
      const groups = chunk(items, n);
      expect(groups).toHaveLength(n);
      expect(groups.flat()).toEqual(items);
      const sizes = groups.map((g) => g.length);
      expect(Math.min(...sizes)).toBeGreaterThan(0);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it("examples", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2, 3], [4, 5]]);
    expect(chunk(["a", "b", "c"], 3)).toEqual([["a"], ["b"], ["c"]]);
    expect(chunk(["a", "b", "c"], 1)).toEqual([["a", "b", "c"]]);
  });

  it("with more groups than items, returns one group per item and no empty groups", () => {
    expect(chunk([1, 2], 5)).toEqual([[1], [2]]);
    expect(chunk([], 3)).toEqual([]);
  });

  it("does not modify its input", () => {
    const items = Object.freeze(["x", "y", "z", "w"]);
    expect(chunk(items, 3).flat()).toEqual(["x", "y", "z", "w"]);
  });
});
