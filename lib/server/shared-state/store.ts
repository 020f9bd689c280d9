import "server-only";

import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";

import Redis from "ioredis";
import type { Logger } from "pino";

import { getEnv, getLogger, getMetrics, optionalGauge, processSingleton } from "@/lib/server/platform";

// The state several instances share through Redis: the client-credentials token, the division cache, the
// single-flight locks and the request budget toward Genesys, sign-outs. Redis is optional and may fail at
// any time: every use names an in-process fallback, and `use` runs it whenever Redis is not configured,
// not reachable or not answering. An outage is logged once as a warning (and its end once), and counted
// in the metrics; users see no error.
//
// Values are sealed (AES-256-GCM, key derived from the BFF's client secret, the key name as associated
// data): whoever can read Redis gets neither a usable token nor the directory, and whoever can write it
// cannot plant users in a tenant's cached view or move one division's entry to another.

export type SharedStatus = "off" | "up" | "down";

export interface SharedStoreOptions {
  url: string | undefined;
  keyPrefix: string;
  /** Secret all instances share; the sealing key is derived from it. */
  sealingSecret: string;
  logger: Logger;
  onFallback?: (operation: string) => void;
  onStatus?: (status: SharedStatus) => void;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

/** A Lua script run by hash (EVALSHA), loaded on first use or after a Redis restart (NOSCRIPT). */
export interface SharedScript {
  source: string;
  sha: string;
}

export function sharedScript(source: string): SharedScript {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

export class SharedStore {
  readonly enabled: boolean;
  private client: Redis | null = null;
  private firstConnect: Promise<void> | null = null;
  private down = false;
  private readonly sealingKey: Buffer;

  constructor(private readonly opts: SharedStoreOptions) {
    this.enabled = opts.url !== undefined;
    this.sealingKey = Buffer.from(hkdfSync("sha256", opts.sealingSecret, "tenantscope", "shared-store sealing v1", 32));
  }

  status(): SharedStatus {
    if (!this.enabled) return "off";
    return this.client !== null && isReady(this.client) && !this.down ? "up" : "down";
  }

  /** A key under the configured prefix. */
  key(...parts: string[]): string {
    return `${this.opts.keyPrefix}${parts.join(":")}`;
  }

  /** Runs `op` against Redis, or `fallback` when Redis is off, unreachable or failing. */
  async use<T>(operation: string, op: (redis: Redis) => Promise<T>, fallback: () => T | Promise<T>): Promise<T> {
    const redis = await this.ready();
    if (!redis) {
      this.opts.onFallback?.(operation);
      return fallback();
    }
    let result: T;
    try {
      result = await op(redis);
    } catch (e) {
      this.markDown(operation, e);
      this.opts.onFallback?.(operation);
      return fallback();
    }
    this.markUp();
    return result;
  }

  /** Runs a script by its hash, sending its source only when Redis does not know it yet. */
  async script(redis: Redis, script: SharedScript, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith("NOSCRIPT")) throw e;
      return redis.eval(script.source, keys.length, ...keys, ...args);
    }
  }

  seal(key: string, plain: Buffer | string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.sealingKey, iv);
    cipher.setAAD(Buffer.from(key));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  /** The plaintext, or null when the value was not sealed by us for this key (tampered, moved, other secret). */
  open(key: string, sealed: Buffer): Buffer | null {
    if (sealed.length < 28) return null;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.sealingKey, sealed.subarray(0, 12));
      decipher.setAAD(Buffer.from(key));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client) await client.quit().catch(() => client.disconnect());
  }

  private connection(): Redis {
    if (this.client) return this.client;
    const url = this.opts.url;
    if (url === undefined) throw new Error("Redis is not configured");
    // Created on first use only: `next build` loads route modules and must not reach for Redis.
    const client = new Redis(url, {
      lazyConnect: true,
      // Fail at once while disconnected (the caller falls back) instead of queueing commands for later.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: this.opts.connectTimeoutMs ?? 2_000,
      commandTimeout: this.opts.commandTimeoutMs ?? 1_000,
      // Keep trying to come back, at most every 2 s.
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    client.on("error", (e: unknown) => this.markDown("connection", e));
    client.on("ready", () => this.markUp());
    this.client = client;
    return client;
  }

  /** The client when it can take commands now; the very first use waits (briefly) for the connection. */
  private async ready(): Promise<Redis | null> {
    if (!this.enabled) return null;
    const client = this.connection();
    if (isReady(client)) return client;
    this.firstConnect ??= client.connect().catch((e: unknown) => this.markDown("connect", e));
    await this.firstConnect;
    if (isReady(client)) return client;
    // Lost and not back yet (ioredis reconnects by itself); a lost connection does not always raise "error".
    this.markDown("connect", new Error(`the connection is ${client.status}`));
    return null;
  }

  private markDown(operation: string, e: unknown): void {
    if (this.down) return;
    this.down = true;
    this.opts.onStatus?.("down");
    this.opts.logger.warn(
      { sharedStore: { operation, error: e instanceof Error ? e.message : String(e) } },
      "shared store (Redis) unavailable: falling back to in-process state until it returns",
    );
  }

  private markUp(): void {
    if (!this.down) {
      this.opts.onStatus?.("up");
      return;
    }
    this.down = false;
    this.opts.onStatus?.("up");
    this.opts.logger.info("shared store (Redis) is back: instances share state again");
  }
}

function isReady(client: Redis): boolean {
  return client.status === "ready";
}

/** The process's shared store (configured from REDIS_URL; "off" without it). */
export function getSharedStore(): SharedStore {
  return processSingleton("shared-store", () => {
    const env = getEnv();
    return new SharedStore({
      url: env.shared.redisUrl,
      keyPrefix: env.shared.keyPrefix,
      sealingSecret: env.genesys.clientSecret,
      logger: getLogger(),
      onFallback: (operation) => getMetrics().sharedStoreFallbacks.inc({ operation }),
      onStatus: (status) => optionalGauge("tenantscope_shared_store_up").set(status === "up" ? 1 : 0),
    });
  });
}
