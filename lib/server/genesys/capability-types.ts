import "server-only";

// The Genesys behaviours Tenantscope relies on that no public documentation confirms, and the answers an org
// can give. capabilities.ts probes and remembers them; the division fetch plans around them.

export const CAPABILITY_KEYS = ["sortById", "startsWithId", "defaultSearchStates", "objectCountStates", "listWindow", "exactCaseSensitive", "permittedDivisions", "searchTypeLimits"] as const;
export type CapabilityKey = (typeof CAPABILITY_KEYS)[number];

export interface CapabilityAnswers {
  sortById: "ok" | "reject" | "ignore";
  startsWithId: "ok" | "reject" | "empty";
  defaultSearchStates: "active+inactive" | "active";
  objectCountStates: "active+inactive" | "active" | "all";
  listWindow: "windowed" | "unlimited";
  exactCaseSensitive: boolean;
  permittedDivisions: "ok" | "user-only";
  /** Not probed (it would take 240 calls): always "assumed". */
  searchTypeLimits: "assumed";
}

export type CapabilityValue<K extends CapabilityKey> = CapabilityAnswers[K] | "unknown";

export interface CapabilityReport<K extends CapabilityKey = CapabilityKey> {
  key: K;
  value: CapabilityValue<K>;
  /** One sentence each, for an operator: what was tested, what the org answered, what Tenantscope does about it. */
  tested: string;
  answered: string;
  action: string;
  /** Genesys calls this probe made (a call shared with an earlier probe counts there). */
  calls: number;
}

/** Every answer each capability can have: the check for values read back from Redis. */
export const CAPABILITY_VALUES: { readonly [K in CapabilityKey]: readonly CapabilityAnswers[K][] } = {
  sortById: ["ok", "reject", "ignore"],
  startsWithId: ["ok", "reject", "empty"],
  defaultSearchStates: ["active+inactive", "active"],
  objectCountStates: ["active+inactive", "active", "all"],
  listWindow: ["windowed", "unlimited"],
  exactCaseSensitive: [true, false],
  permittedDivisions: ["ok", "user-only"],
  searchTypeLimits: ["assumed"],
};

export function isCapabilityKey(value: unknown): value is CapabilityKey {
  return typeof value === "string" && (CAPABILITY_KEYS as readonly string[]).includes(value);
}

export function isCapabilityValue<K extends CapabilityKey>(key: K, value: unknown): value is CapabilityValue<K> {
  return value === "unknown" || (CAPABILITY_VALUES[key] as readonly unknown[]).includes(value);
}
