// Realism knobs: behaviours of the real Genesys Cloud that are undocumented or vary, which the emulator can play
// either way. They ride with the faults (`PUT /__emulator/faults`, `GET /__emulator/faults`, CLI flags), and each
// defaults to its first listed value, the emulator's behaviour before the knob existed.

export const SORT_BY_ID = ["ok", "reject", "ignore"] as const;
export const STARTS_WITH_ID = ["ok", "reject", "empty"] as const;
export const DEFAULT_SEARCH_STATES = ["active+inactive", "active"] as const;
export const OBJECT_COUNT_STATES = ["active+inactive", "active", "all"] as const;

export interface Knobs {
  /** A user search sorted by `id`: served (ok), refused with 400 (reject), or served in a per-request random order (ignore). */
  sortById: (typeof SORT_BY_ID)[number];
  /** A STARTS_WITH criterion on `id`: served (ok), refused with 400 (reject), or matching nothing (empty). */
  startsWithId: (typeof STARTS_WITH_ID)[number];
  /** The user states a search returns when its query has no `state` criterion. */
  defaultSearchStates: (typeof DEFAULT_SEARCH_STATES)[number];
  /** The user states `objectCounts.USER` counts in the division endpoints ("all" includes deleted users). */
  objectCountStates: (typeof OBJECT_COUNT_STATES)[number];
  /** GET /api/v2/users with a state other than active refuses pages beyond the first 10,000 results. */
  listWindow: boolean;
  /** Per-token 60 s limits on searches by criterion type: STARTS_WITH 240, else CONTAINS 100, else EXACT 4,000. */
  searchTypeLimits: boolean;
  /** EXACT criteria compare values case-sensitively instead of folding case. */
  exactCaseSensitive: boolean;
  /** GET /api/v2/authorization/divisionspermitted/paged/me refuses client-credentials tokens. */
  permittedDivisionsUserOnly: boolean;
}

export const DEFAULT_KNOBS: Knobs = {
  sortById: "ok",
  startsWithId: "ok",
  defaultSearchStates: "active+inactive",
  objectCountStates: "active+inactive",
  listWindow: false,
  searchTypeLimits: false,
  exactCaseSensitive: false,
  permittedDivisionsUserOnly: false,
};

export const KNOB_KEYS = Object.keys(DEFAULT_KNOBS) as (keyof Knobs)[];

export class KnobInputError extends Error {}

function choice<T extends string>(v: unknown, name: string, allowed: readonly T[], fallback: T): T {
  // false and null put a knob back to its default, as they switch a fault off.
  if (v === false || v === null) return fallback;
  if (typeof v === "string" && (allowed as readonly string[]).includes(v)) return v as T;
  throw new KnobInputError(`${name} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
}

function flag(v: unknown, name: string): boolean {
  if (v === true || v === "true") return true;
  if (v === false || v === "false" || v === null) return false;
  throw new KnobInputError(`${name} must be true or false`);
}

/** Merges the knob keys of a fault update into `current`; keys absent from `input` keep their value. */
export function applyKnobInput<K extends Knobs>(current: K, input: Record<string, unknown>): K {
  const next = { ...current };
  if ("sortById" in input) next.sortById = choice(input.sortById, "sortById", SORT_BY_ID, DEFAULT_KNOBS.sortById);
  if ("startsWithId" in input) next.startsWithId = choice(input.startsWithId, "startsWithId", STARTS_WITH_ID, DEFAULT_KNOBS.startsWithId);
  if ("defaultSearchStates" in input) {
    next.defaultSearchStates = choice(input.defaultSearchStates, "defaultSearchStates", DEFAULT_SEARCH_STATES, DEFAULT_KNOBS.defaultSearchStates);
  }
  if ("objectCountStates" in input) {
    next.objectCountStates = choice(input.objectCountStates, "objectCountStates", OBJECT_COUNT_STATES, DEFAULT_KNOBS.objectCountStates);
  }
  for (const key of ["listWindow", "searchTypeLimits", "exactCaseSensitive", "permittedDivisionsUserOnly"] as const) {
    if (key in input) next[key] = flag(input[key], key);
  }
  return next;
}

/** The knobs' part of `GET /__emulator/faults`. */
export function describeKnobs(k: Knobs): Knobs {
  return Object.fromEntries(KNOB_KEYS.map((key) => [key, k[key]])) as unknown as Knobs;
}
