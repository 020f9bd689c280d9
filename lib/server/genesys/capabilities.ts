import "server-only";

import { z } from "zod";

import { AppError, isAppError, processSingleton } from "@/lib/server/platform";
import { getSharedStore, type SharedStore } from "@/lib/server/shared-state";

import { getBffClient } from "./bff-client";
import { actionFor } from "./capability-actions";
import { ProbeBudgetSpent, ProbeContext } from "./capability-context";
import { PROBES, type Finding } from "./capability-probes";
import { CAPABILITY_KEYS, isCapabilityValue, type CapabilityKey, type CapabilityReport, type CapabilityValue } from "./capability-types";
import type { GenesysClient } from "./client";
import { UpstreamError } from "./upstream-error";

// What this org's Genesys does where the documentation is silent (capability-types.ts), found out with the
// BFF's own client: each answer is probed the first time something asks for it and then remembered, per
// process and, with Redis, for every instance (sealed like the other shared entries). The doctor and the
// diagnostics page run every probe afresh.

export * from "./capability-types";

/** Orgs rarely change these; a day bounds how long a changed answer goes unnoticed. */
const ANSWER_TTL_MS = 24 * 60 * 60 * 1000;
/** "The org cannot tell" may change as users come and go: asked again sooner. */
const UNKNOWN_TTL_MS = 60 * 60 * 1000;
/** Probes asked for within this long share their reads (division list, probe division, totals). */
const CONTEXT_REUSE_MS = 60 * 1000;

const storedSchema = z.object({ value: z.union([z.string(), z.boolean()]), expiresAt: z.number() });

interface Remembered {
  value: unknown;
  expiresAt: number;
}

export class Capabilities {
  private readonly known = new Map<CapabilityKey, Remembered>();
  private readonly probing = new Map<CapabilityKey, Promise<unknown>>();
  private context: { ctx: ProbeContext; createdAt: number } | undefined;

  constructor(
    private readonly client: GenesysClient,
    private readonly shared?: SharedStore,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The answer, probed the first time it is asked for and remembered (per process; in Redis when configured,
   * TTL 24 h); concurrent askers share one probe. "unknown" when the org cannot tell. Never throws for a 4xx
   * a variant is known to give; other upstream failures propagate and nothing is remembered.
   */
  async get<K extends CapabilityKey>(key: K): Promise<CapabilityValue<K>> {
    const local = this.known.get(key);
    if (local && local.expiresAt > this.now() && isCapabilityValue(key, local.value)) return local.value;
    let pending = this.probing.get(key);
    if (!pending) {
      pending = this.resolve(key).finally(() => this.probing.delete(key));
      this.probing.set(key, pending);
    }
    const value = await pending;
    if (!isCapabilityValue(key, value)) throw new AppError("internal", `capability ${key} resolved to an impossible value`);
    return value;
  }

  /** Runs every probe afresh (doctor, diagnostics), one after another within one call budget, and remembers the answers. */
  async probeAll(): Promise<CapabilityReport[]> {
    const ctx = new ProbeContext(this.client);
    const reports: CapabilityReport[] = [];
    for (const key of CAPABILITY_KEYS) {
      try {
        const report = await this.run(key, ctx);
        await this.remember(key, report.value);
        reports.push(report);
      } catch (e) {
        reports.push({ key, value: "unknown", tested: "The probe could not finish.", answered: `The probe failed: ${describeFailure(e)}`, action: actionFor(key, "unknown"), calls: 0 });
      }
    }
    return reports;
  }

  private async resolve<K extends CapabilityKey>(key: K): Promise<CapabilityValue<K>> {
    const stored = await this.readShared(key);
    if (stored) {
      this.known.set(key, stored);
      if (isCapabilityValue(key, stored.value)) return stored.value;
    }
    const ctx = this.sharedContext();
    let report: CapabilityReport<K>;
    try {
      report = await this.run(key, ctx);
    } catch (e) {
      // The context keeps its failed reads: the next ask starts a fresh one.
      if (this.context?.ctx === ctx) this.context = undefined;
      throw e;
    }
    await this.remember(key, report.value);
    return report.value;
  }

  private sharedContext(): ProbeContext {
    const now = this.now();
    if (!this.context || now - this.context.createdAt > CONTEXT_REUSE_MS) this.context = { ctx: new ProbeContext(this.client), createdAt: now };
    return this.context.ctx;
  }

  private async run<K extends CapabilityKey>(key: K, ctx: ProbeContext): Promise<CapabilityReport<K>> {
    const tally = { calls: 0 };
    let finding: Finding<K>;
    try {
      finding = await PROBES[key](ctx, tally);
    } catch (e) {
      if (!(e instanceof ProbeBudgetSpent)) throw e;
      finding = { value: "unknown", tested: "Not run.", answered: `Not tested: ${e.message}.` };
    }
    return { key, ...finding, action: actionFor(key, finding.value), calls: tally.calls };
  }

  private async remember(key: CapabilityKey, value: unknown): Promise<void> {
    const ttl = value === "unknown" ? UNKNOWN_TTL_MS : ANSWER_TTL_MS;
    const entry: Remembered = { value, expiresAt: this.now() + ttl };
    this.known.set(key, entry);
    const shared = this.shared;
    if (!shared?.enabled) return;
    const redisKey = shared.key("capability", key);
    await shared.use(
      "capabilities.write",
      async (redis) => {
        await redis.set(redisKey, shared.seal(redisKey, JSON.stringify(entry)), "PX", ttl);
      },
      () => undefined,
    );
  }

  private async readShared(key: CapabilityKey): Promise<Remembered | undefined> {
    const shared = this.shared;
    if (!shared?.enabled) return undefined;
    const redisKey = shared.key("capability", key);
    const plain = await shared.use(
      "capabilities.read",
      async (redis) => {
        const sealed = await redis.getBuffer(redisKey);
        return sealed ? shared.open(redisKey, sealed) : null;
      },
      () => null,
    );
    if (!plain) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(plain.toString("utf8"));
    } catch {
      return undefined;
    }
    const parsed = storedSchema.safeParse(json);
    if (!parsed.success || parsed.data.expiresAt <= this.now() || !isCapabilityValue(key, parsed.data.value)) return undefined;
    return parsed.data;
  }
}

function describeFailure(e: unknown): string {
  if (e instanceof UpstreamError) return `${e.status > 0 ? `HTTP ${e.status} ` : ""}${e.message}`;
  if (isAppError(e)) return e.message;
  return "an unexpected error.";
}

/** The process's capabilities, over the BFF's own client and the shared store. */
export function getCapabilities(): Capabilities {
  return processSingleton("capabilities", () => new Capabilities(getBffClient(), getSharedStore()));
}
