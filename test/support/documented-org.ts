import type { FetchOptions } from "@/lib/server/divisions/fetch";
import type { CapabilityAnswers, CapabilityKey } from "@/lib/server/genesys";

/**
 * The org as documented (the emulator's defaults), known in advance: fetch tests that count the fetch's own
 * calls pass these, not the capability probes' (test/integration/capability-variants.test.ts covers the probes).
 */
export const DOCUMENTED: CapabilityAnswers = {
  sortById: "ok",
  startsWithId: "ok",
  defaultSearchStates: "active+inactive",
  objectCountStates: "active+inactive",
  listWindow: "windowed",
  exactCaseSensitive: false,
  permittedDivisions: "ok",
  searchTypeLimits: "assumed",
};

export const DOCUMENTED_ORG: FetchOptions["capabilities"] = {
  async get<K extends CapabilityKey>(key: K) {
    return DOCUMENTED[key];
  },
};
