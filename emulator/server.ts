// The emulator's HTTP server: one process plays both login.<env> and api.<env>, as the SDK's setGateway
// sends both there. Usable in-process (`startEmulator`) and from the command line (cli.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import type { SearchHooks } from "./api";
import { CallStats, type StatsSnapshot } from "./call-stats";
import { handleControl } from "./control-api";
import { endStaleIndex, leakedUsers, moveDuringPaging, startStaleIndex } from "./fault-effects";
import { applyFaultInput, NO_FAULTS, type Faults } from "./faults";
import { ApiError, errorBody, errors, newCorrelationId, readBody, send, type Reply } from "./http";
import type { EmuOrg } from "./model";
import { handleAuthorizeGet, handleAuthorizePost, handleLogout, handleToken } from "./oauth";
import { createRandom, type Random } from "./prng";
import { matchRoute } from "./routes";
import { SearchTypeLimiter } from "./search-knobs";
import { seedOrg } from "./seed";
import { EmulatorState, type TokenRecord } from "./state";

export type { StatsSnapshot } from "./call-stats";

export interface EmulatorOptions {
  port?: number;
  host?: string;
  seed?: number;
  /** Requests per 60 s per token before 429 (Genesys: 300). */
  rateLimit?: number;
  latencyMs?: number;
  jitterMs?: number;
  /** Faults active from the start (and restored by reset), in the same form as PUT /__emulator/faults. */
  faults?: Record<string, unknown>;
  /** Overrides every client's access-token lifetime, for tests of expiry. */
  tokenLifetimeSeconds?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface RunningEmulator {
  url: string;
  port: number;
  readonly state: EmulatorState;
  stats(): StatsSnapshot;
  resetStats(): void;
  setFaults(input: Record<string, unknown>): Faults;
  reset(): void;
  stop(): Promise<void>;
}

const pristine = new Map<number, EmuOrg>();

/** The seeded org, generated once per seed and cloned, since tests reset often. */
function freshOrg(seed: number): EmuOrg {
  let org = pristine.get(seed);
  if (!org) pristine.set(seed, (org = seedOrg(seed)));
  return structuredClone(org);
}

class Emulator {
  state!: EmulatorState;
  faults: Faults = NO_FAULTS;
  random!: Random;
  private readonly calls = new CallStats();
  private windows = new Map<string, number[]>();
  private searchTypeLimiter!: SearchTypeLimiter;
  private movesDone = 0;
  private revokeCountdown: number | null = null;
  readonly hung = new Set<ServerResponse>();
  private readonly now: () => number;

  constructor(readonly options: EmulatorOptions) {
    this.now = options.now ?? Date.now;
    this.reset();
  }

  reset(): void {
    const seed = this.seed;
    this.state = new EmulatorState(freshOrg(seed), this.now);
    if (this.options.tokenLifetimeSeconds !== undefined) {
      for (const c of this.state.clients.values()) this.state.lifetimeOverrides.set(c.id, this.options.tokenLifetimeSeconds);
    }
    this.random = createRandom(seed * 7919 + 17);
    this.faults = NO_FAULTS;
    this.windows.clear();
    this.searchTypeLimiter = new SearchTypeLimiter(this.now);
    this.movesDone = 0;
    this.revokeCountdown = null;
    this.resetStats();
    const initial: Record<string, unknown> = { ...this.options.faults };
    if (this.options.latencyMs || this.options.jitterMs) Object.assign(initial, { latencyMs: this.options.latencyMs ?? 0, jitterMs: this.options.jitterMs ?? 0 });
    this.setFaults(initial);
  }

  get seed(): number {
    return this.options.seed ?? 1;
  }

  resetStats(): void {
    this.calls.reset();
  }

  snapshot(): StatsSnapshot {
    return this.calls.snapshot();
  }

  setFaults(input: Record<string, unknown>): Faults {
    const before = this.faults;
    const next = applyFaultInput(before, input);
    this.faults = next;
    if (next.staleIndex && !before.staleIndex) startStaleIndex(this.state, next.staleIndex.count);
    if (!next.staleIndex && before.staleIndex) endStaleIndex(this.state);
    if (next.revokeTokens && next.revokeTokens !== before.revokeTokens) {
      if (next.revokeTokens.afterRequests === 0) {
        this.state.revokeAllTokens();
        this.revokeCountdown = null;
      } else this.revokeCountdown = next.revokeTokens.afterRequests;
      // Revocation is an event, not a standing condition.
      this.faults = { ...this.faults, revokeTokens: null };
    }
    if (next.moveDuringPaging !== before.moveDuringPaging) this.movesDone = 0;
    return this.faults;
  }

  private searchHooks(token: string): SearchHooks {
    return {
      admit: (query) => {
        if (this.faults.searchTypeLimits) this.searchTypeLimiter.admit(token, query);
      },
      random: this.random,
      leaked: (query) => leakedUsers(this.state, this.faults.leak, query),
      beforePage: (req) => {
        this.movesDone = moveDuringPaging(this.state, this.faults.moveDuringPaging, req, this.random, this.movesDone);
      },
    };
  }

  /** Sliding 60-second window per token; returns the Retry-After seconds when over the limit. */
  private rateLimited(token: string): number | null {
    const limit = this.faults.rateLimitPerMinute ?? this.options.rateLimit ?? 300;
    const now = this.now();
    const window = (this.windows.get(token) ?? []).filter((t) => t > now - 60_000);
    this.windows.set(token, window);
    if (window.length >= limit) {
      this.calls.rateLimited();
      const oldest = window[0] ?? now;
      return Math.max(1, Math.ceil((oldest + 60_000 - now) / 1000));
    }
    window.push(now);
    return null;
  }

  /** The client an issued token belongs to, read back from the state (the reply only carries the token). */
  private clientOfToken(reply: Reply): string | undefined {
    const body = reply.body as { access_token?: unknown } | undefined;
    const token = typeof body?.access_token === "string" ? this.state.tokens.get(body.access_token) : undefined;
    return token?.subject.client.id;
  }

  private authenticate(req: IncomingMessage): TokenRecord {
    const header = req.headers.authorization;
    if (!header) throw errors.authenticationRequired();
    // next-auth and others send "bearer" in lower case: the scheme is case-insensitive (RFC 7235).
    const m = /^bearer\s+(\S+)\s*$/i.exec(header);
    const rec = m?.[1] ? this.state.tokens.get(m[1]) : undefined;
    if (!rec || rec.revoked || rec.expiresAt <= this.now()) throw errors.badCredentials();
    return rec;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const correlationId = newCorrelationId();
    const url = new URL(req.url ?? "/", "http://emulator.local");
    const path = url.pathname;
    const method = req.method ?? "GET";

    if (path.startsWith("/__emulator/")) {
      send(res, await handleControl(this, method, path, url.searchParams, req), correlationId);
      return;
    }

    await this.delay();

    if (path === "/oauth/token" || path === "/oauth/authorize" || path === "/logout") {
      // The login host answers OAuth-style, never with an ErrorBody (it is not part of the API spec), even when the body is too large.
      const reply = await this.oauth(method, path, url.searchParams, req).catch((e: unknown): Reply => {
        if (!(e instanceof ApiError)) throw e;
        return { status: e.status, headers: e.headers, body: { error: "invalid_request", description: e.message, error_description: e.message } };
      });
      this.calls.count(path === "/oauth/token" ? "oauthToken" : path === "/logout" ? "logout" : "oauthAuthorize", reply.status);
      if (path === "/oauth/token" && reply.status === 200) this.calls.tokenIssued(this.clientOfToken(reply));
      send(res, reply, correlationId);
      return;
    }

    const match = matchRoute(method, path);
    const operation = match.route?.operation ?? "unknown";
    let reply: Reply;
    let truncate = false;
    try {
      if (!path.startsWith("/api/v2/")) throw errors.notFound();
      const token = this.authenticate(req);
      this.calls.byClient(token.subject.client.id);
      if (this.revokeCountdown !== null && --this.revokeCountdown <= 0) {
        this.revokeCountdown = null;
        this.state.revokeAllTokens();
        throw errors.badCredentials();
      }
      if (this.faults.timeout && this.random() < this.faults.timeout.rate) {
        this.hang(res, this.faults.timeout.hangMs);
        this.calls.count(operation, 0);
        return;
      }
      const retryAfter = this.rateLimited(token.token);
      if (retryAfter !== null) throw errors.tooManyRequests(retryAfter);
      if (this.faults.p429 > 0 && this.random() < this.faults.p429) throw errors.tooManyRequests(1);
      if (this.faults.p5xx > 0 && this.random() < this.faults.p5xx) {
        const roll = this.random();
        throw roll < 0.4 ? errors.internal() : roll < 0.8 ? errors.unavailable() : errors.gatewayTimeout();
      }
      if (!match.route) throw errors.notFound();
      const bodyText = method === "POST" || method === "PUT" ? await readBody(req) : "";
      reply = match.route.handle(this.state, { method, path, query: url.searchParams, bodyText, subject: token.subject, token: token.token, knobs: this.faults }, match.params, this.searchHooks(token.token));
      truncate = reply.status === 200 && this.faults.malformedRate > 0 && this.random() < this.faults.malformedRate;
    } catch (e) {
      reply = toErrorReply(e, correlationId);
    }
    this.calls.count(operation, reply.status);
    send(res, reply, correlationId, truncate);
  }

  private async delay(): Promise<void> {
    const l = this.faults.latency;
    if (!l) return;
    const ms = l.latencyMs + (l.jitterMs > 0 ? (this.random() * 2 - 1) * l.jitterMs : 0);
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
  }

  private hang(res: ServerResponse, ms: number): void {
    this.hung.add(res);
    const timer = setTimeout(() => {
      this.hung.delete(res);
      res.destroy();
    }, ms);
    res.on("close", () => {
      clearTimeout(timer);
      this.hung.delete(res);
    });
  }

  private async oauth(method: string, path: string, query: URLSearchParams, req: IncomingMessage): Promise<Reply> {
    if (path === "/logout" && method === "GET") return handleLogout(this.state, query);
    if (path === "/oauth/authorize" && method === "GET") return handleAuthorizeGet(this.state, query);
    const form = new URLSearchParams(await readBody(req));
    if (path === "/oauth/authorize" && method === "POST") return handleAuthorizePost(this.state, form);
    if (path === "/oauth/token" && method === "POST") return handleToken(this.state, req.headers.authorization, form);
    return { status: 405, body: { error: "invalid_request", description: "method not allowed", error_description: "method not allowed" } };
  }
}

function toErrorReply(e: unknown, correlationId: string): Reply {
  if (e instanceof ApiError) {
    return { status: e.status, headers: e.headers, body: errorBody(e.status, e.code, e.message, correlationId, e.messageParams) };
  }
  const err = errors.internal();
  console.error("emulator: unexpected error", e);
  return { status: 500, body: errorBody(500, err.code, err.message, correlationId) };
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emu = new Emulator(options);
  const server: Server = createServer((req, res) => {
    emu.handle(req, res).catch((e: unknown) => {
      console.error("emulator: request failed", e);
      const correlationId = newCorrelationId();
      if (!res.headersSent) send(res, toErrorReply(e, correlationId), correlationId);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    get state() {
      return emu.state;
    },
    stats: () => emu.snapshot(),
    resetStats: () => emu.resetStats(),
    setFaults: (input) => emu.setFaults(input),
    reset: () => emu.reset(),
    stop: async () => {
      for (const res of emu.hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
