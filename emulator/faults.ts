// Runtime faults. Each fault is off (`false`), on with defaults (`true`) or an object of settings, both over
// `PUT /__emulator/faults` and as CLI flags. `applyFaultInput` turns that loose input into full settings. The
// realism knobs (knobs.ts) ride along: same body, same view, same flags.
import { applyKnobInput, DEFAULT_KNOBS, describeKnobs, KNOB_KEYS, KnobInputError, type Knobs } from "./knobs";

export interface LatencyFault {
  latencyMs: number;
  jitterMs: number;
}
export interface LeakFault {
  /** How many users of other divisions a division-filtered search also returns. */
  count: number;
}
export interface StaleIndexFault {
  /** Users moved out of each populated custom division while the search index keeps the old division. */
  count: number;
}
export interface MoveDuringPagingFault {
  /** Users moved on each search request for page 2 or later. */
  perRequest: number;
  /** Stop moving after this many moves, so that a client's refetch can settle. */
  maxMoves: number;
}
export interface TimeoutFault {
  rate: number;
  /** How long a hung request stays open before the socket is destroyed. */
  hangMs: number;
}
export interface RevokeTokensFault {
  /** Revoke every token issued so far once this many more API requests have arrived (0 = now). */
  afterRequests: number;
}

export interface Faults extends Knobs {
  latency: LatencyFault | null;
  rateLimitPerMinute: number | null;
  p429: number;
  p5xx: number;
  timeout: TimeoutFault | null;
  malformedRate: number;
  leak: LeakFault | null;
  staleIndex: StaleIndexFault | null;
  moveDuringPaging: MoveDuringPagingFault | null;
  revokeTokens: RevokeTokensFault | null;
}

export const NO_FAULTS: Faults = {
  latency: null,
  rateLimitPerMinute: null,
  p429: 0,
  p5xx: 0,
  timeout: null,
  malformedRate: 0,
  leak: null,
  staleIndex: null,
  moveDuringPaging: null,
  revokeTokens: null,
  ...DEFAULT_KNOBS,
};

export class FaultInputError extends Error {}

type Loose = Record<string, unknown>;

function isObject(v: unknown): v is Loose {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function num(v: unknown, name: string, min: number, max: number): number {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n) || n < min || n > max) {
    throw new FaultInputError(`${name} must be a number from ${min} to ${max}`);
  }
  return n;
}

function probability(v: unknown, name: string, onDefault: number): number {
  if (v === false || v === undefined || v === null) return 0;
  if (v === true) return onDefault;
  if (isObject(v)) return num(v.rate ?? v.probability, `${name}.rate`, 0, 1);
  return num(v, name, 0, 1);
}

function settings<T>(v: unknown, name: string, defaults: T, read: (o: Loose, d: T) => T): T | null {
  if (v === false || v === undefined || v === null) return null;
  if (v === true) return defaults;
  if (isObject(v)) return read(v, defaults);
  throw new FaultInputError(`${name} must be true, false or an object of settings`);
}

const KNOWN = new Set([
  "latencyMs",
  "jitterMs",
  "latency",
  "rateLimitPerMinute",
  "p429",
  "p5xx",
  "timeoutRate",
  "timeout",
  "malformedRate",
  "leak",
  "staleIndex",
  "moveDuringPaging",
  "revokeTokens",
  ...KNOB_KEYS,
]);

/** Merges a partial fault update into `current`. Keys absent from `input` keep their value. */
export function applyFaultInput(current: Faults, input: unknown): Faults {
  if (!isObject(input)) throw new FaultInputError("faults must be a JSON object");
  for (const key of Object.keys(input)) {
    if (!KNOWN.has(key)) throw new FaultInputError(`unknown fault "${key}"; known: ${[...KNOWN].join(", ")}`);
  }
  let next: Faults = { ...current };
  try {
    next = applyKnobInput(next, input);
  } catch (e) {
    throw e instanceof KnobInputError ? new FaultInputError(e.message) : e;
  }

  if ("latencyMs" in input || "jitterMs" in input || "latency" in input) {
    const base = isObject(input.latency) ? input.latency : input;
    if (input.latency === false || input.latencyMs === false) next.latency = null;
    else {
      const latencyMs = num(base.latencyMs ?? (input.latency === true ? 100 : 0), "latencyMs", 0, 600_000);
      const jitterMs = num(base.jitterMs ?? 0, "jitterMs", 0, 600_000);
      next.latency = latencyMs === 0 && jitterMs === 0 ? null : { latencyMs, jitterMs };
    }
  }
  if ("rateLimitPerMinute" in input) {
    const v = input.rateLimitPerMinute;
    next.rateLimitPerMinute = v === false || v === null ? null : v === true ? 300 : num(v, "rateLimitPerMinute", 1, 1_000_000);
  }
  if ("p429" in input) next.p429 = probability(input.p429, "p429", 0.3);
  if ("p5xx" in input) next.p5xx = probability(input.p5xx, "p5xx", 0.2);
  if ("malformedRate" in input) next.malformedRate = probability(input.malformedRate, "malformedRate", 0.1);
  if ("timeoutRate" in input || "timeout" in input) {
    const v = "timeoutRate" in input ? input.timeoutRate : input.timeout;
    if (v === false || v === null || v === 0) next.timeout = null;
    else if (v === true) next.timeout = { rate: 0.1, hangMs: 120_000 };
    else if (isObject(v)) {
      next.timeout = { rate: num(v.rate ?? 0.1, "timeoutRate.rate", 0, 1), hangMs: num(v.hangMs ?? 120_000, "timeoutRate.hangMs", 1, 3_600_000) };
    } else next.timeout = { rate: num(v, "timeoutRate", 0, 1), hangMs: 120_000 };
  }
  if ("leak" in input) {
    next.leak = settings(input.leak, "leak", { count: 3 }, (o, d) => ({ count: num(o.count ?? d.count, "leak.count", 1, 1000) }));
  }
  if ("staleIndex" in input) {
    next.staleIndex = settings(input.staleIndex, "staleIndex", { count: 5 }, (o, d) => ({
      count: num(o.count ?? d.count, "staleIndex.count", 1, 1000),
    }));
  }
  if ("moveDuringPaging" in input) {
    next.moveDuringPaging = settings(input.moveDuringPaging, "moveDuringPaging", { perRequest: 1, maxMoves: 10 }, (o, d) => ({
      perRequest: num(o.perRequest ?? d.perRequest, "moveDuringPaging.perRequest", 1, 100),
      maxMoves: num(o.maxMoves ?? d.maxMoves, "moveDuringPaging.maxMoves", 1, 100_000),
    }));
  }
  if ("revokeTokens" in input) {
    next.revokeTokens = settings(input.revokeTokens, "revokeTokens", { afterRequests: 0 }, (o, d) => ({
      afterRequests: num(o.afterRequests ?? d.afterRequests, "revokeTokens.afterRequests", 0, 1_000_000),
    }));
  }
  return next;
}

/** A JSON view of the active faults (what `GET /__emulator/faults` returns). */
export function describeFaults(f: Faults): Record<string, unknown> {
  return {
    latencyMs: f.latency?.latencyMs ?? 0,
    jitterMs: f.latency?.jitterMs ?? 0,
    rateLimitPerMinute: f.rateLimitPerMinute,
    p429: f.p429,
    p5xx: f.p5xx,
    timeoutRate: f.timeout ?? false,
    malformedRate: f.malformedRate,
    leak: f.leak ?? false,
    staleIndex: f.staleIndex ?? false,
    moveDuringPaging: f.moveDuringPaging ?? false,
    revokeTokens: f.revokeTokens ?? false,
    ...describeKnobs(f),
  };
}
