import "server-only";

import { ID_ALPHABET, PARTITION_TARGET } from "./search-assumptions";

/** A slice of a division's users: ids starting with one of `prefixes` (empty = the whole division). */
export interface Partition {
  prefixes: string[];
}

export const WHOLE: Partition = { prefixes: [] };

/**
 * Splits a division of `expected` users into id-prefix partitions of about PARTITION_TARGET users each,
 * assuming ids spread evenly over the hex alphabet (they are random UUIDs).
 */
export function planPartitions(expected: number): Partition[] {
  if (expected <= PARTITION_TARGET) return [WHOLE];
  const parts = Math.min(ID_ALPHABET.length, Math.ceil(expected / PARTITION_TARGET));
  return chunk(ID_ALPHABET, parts).map((prefixes) => ({ prefixes }));
}

/**
 * Splits a partition that turned out to exceed the window: a set of prefixes is divided; a single prefix
 * is extended by one more hex digit first. Either way each new part should hold about PARTITION_TARGET.
 */
export function splitPartition(part: Partition, total: number): Partition[] {
  const [only] = part.prefixes;
  const prefixes = part.prefixes.length === 0 ? ID_ALPHABET : part.prefixes.length === 1 && only !== undefined ? ID_ALPHABET.map((c) => only + c) : part.prefixes;
  const parts = Math.max(2, Math.min(prefixes.length, Math.ceil(total / PARTITION_TARGET)));
  return chunk(prefixes, parts).map((group) => ({ prefixes: group }));
}

/** Splits `items` into `n` contiguous groups of near-equal size. */
export function chunk<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  const size = items.length / n;
  for (let i = 0; i < n; i++) {
    const group = items.slice(Math.round(i * size), Math.round((i + 1) * size));
    if (group.length > 0) out.push(group);
  }
  return out;
}
