// The realism knobs' non-default variants (the default of each is the documented behaviour): one list for
// the tests that must hold under each of them, alone and all at once.

/** Each knob's documented behaviour, spelt out (not read from emulator/knobs.ts, so the tests pin it). */
export const DOCUMENTED_KNOBS = {
  sortById: "ok",
  startsWithId: "ok",
  defaultSearchStates: "active+inactive",
  objectCountStates: "active+inactive",
  listWindow: false,
  searchTypeLimits: false,
  exactCaseSensitive: false,
  permittedDivisionsUserOnly: false,
} as const;

export const KNOB_VARIANTS: Record<string, Record<string, unknown>> = {
  "sortById ignore": { sortById: "ignore" },
  "sortById reject": { sortById: "reject" },
  "startsWithId reject": { startsWithId: "reject" },
  "startsWithId empty": { startsWithId: "empty" },
  "defaultSearchStates active": { defaultSearchStates: "active" },
  "objectCountStates active": { objectCountStates: "active" },
  "objectCountStates all": { objectCountStates: "all" },
  listWindow: { listWindow: true },
  searchTypeLimits: { searchTypeLimits: true },
  exactCaseSensitive: { exactCaseSensitive: true },
  permittedDivisionsUserOnly: { permittedDivisionsUserOnly: true },
};

/** Every knob away from the documented behaviour at once. */
export const EVERY_KNOB_VARIANT = {
  sortById: "ignore",
  startsWithId: "empty",
  defaultSearchStates: "active",
  objectCountStates: "all",
  listWindow: true,
  searchTypeLimits: true,
  exactCaseSensitive: true,
  permittedDivisionsUserOnly: true,
} as const;
