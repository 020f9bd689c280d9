import "server-only";

import type { ZodType } from "zod";

import { awaitWithoutSlot, getMetrics, type FetchConfig, type GenesysConfig } from "@/lib/server/platform";

import { CircuitBreaker } from "./circuit-breaker";
import { FairScheduler, GENERAL_LANE, type Ticket } from "./fair-scheduler";
import { SlidingWindowBudget, sleep, type RequestBudget } from "./request-limiter";
import { decideRetry, type RetryDecision } from "./retry-policy";
import { createSdkClient, isExtendedResponse, type SdkClient } from "./sdk";
import { accessTokenOf, issuedToken, OWN_TOKENS, type IssuedToken, type TokenSource } from "./token-source";
import { logUpstreamCall, withTimeout } from "./upstream-call";
import { toUpstreamError, UpstreamError } from "./upstream-error";

// How every call reaches Genesys (client.ts holds the operations): its turn from the fair scheduler over the
// shared budget and concurrency limit (fair-scheduler.ts), a per-request timeout, retries (429 with
// Retry-After, 5xx, timeouts, network and malformed bodies; never other 4xx), one token refresh on 401, and
// typed errors.

/** Per-fetch options: cancellation, an overall deadline, and a hook to count upstream calls. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Epoch ms after which no retry starts. */
  deadlineAt?: number;
  onCall?: (operation: string, status: number) => void;
  /** Whose work this is (a division's fetch, the org snapshot): lanes share the budget fairly (fair-scheduler.ts). */
  lane?: string;
  /** Told when the call must wait before it may be sent (Genesys' Retry-After, or the per-minute budget), and null when it goes. */
  onWait?: (wait: UpstreamWait | null) => void;
}

/** Why a call is held back, and for about how long. */
export interface UpstreamWait {
  reason: "rate-limit" | "budget";
  seconds: number;
}

/** Waits shorter than this are not worth telling a person about. */
const WAIT_WORTH_SAYING_MS = 1_000;

export interface ClientStats {
  calls: Record<string, Record<string, number>>;
  retries: number;
  rateLimited: number;
  tokenRefreshes: number;
}

export interface GenesysClientDeps {
  genesys: GenesysConfig;
  fetch: FetchConfig;
  /**
   * Where tokens come from. Default: the BFF's client-credentials grant. A signed-in staff member's client
   * passes their own token instead (it cannot be renewed here: a 401 then surfaces to the caller).
   */
  userToken?: string;
  budget?: RequestBudget;
  tokens?: TokenSource;
  now?: () => number;
  random?: () => number;
}

export class GenesysTransport {
  readonly sdkClient: SdkClient;
  private readonly budget: RequestBudget;
  private readonly scheduler: FairScheduler;
  private readonly now: () => number;
  private readonly random: () => number;
  private token: IssuedToken | null = null;
  private refreshing: Promise<string> | null = null;
  private readonly tokens: TokenSource;
  /** The token each 401 was answered to, so that exactly that one is discarded. */
  private readonly refusedToken = new WeakMap<UpstreamError, string>();
  /** Set by a 429: every caller waits until then, since the limit is per token, not per request. */
  private pausedUntil = 0;
  readonly stats: ClientStats = { calls: {}, retries: 0, rateLimited: 0, tokenRefreshes: 0 };
  private readonly breaker: CircuitBreaker;

  constructor(private readonly deps: GenesysClientDeps) {
    this.sdkClient = createSdkClient(deps.genesys, deps.fetch.requestTimeoutMs);
    this.budget = deps.budget ?? new SlidingWindowBudget(deps.fetch.requestsPerMinute);
    this.now = deps.now ?? Date.now;
    this.scheduler = new FairScheduler({ budget: this.budget, concurrency: deps.fetch.concurrency, now: this.now });
    this.random = deps.random ?? Math.random;
    this.breaker = new CircuitBreaker(this.now);
    this.tokens = deps.tokens ?? OWN_TOKENS;
  }

  async call<T>(operation: string, schema: ZodType<T>, run: () => Promise<unknown>, opts: CallOptions): Promise<T> {
    return (await this.callWithMeta(operation, schema, run, opts)).data;
  }

  /** As `call`, plus the response's correlation id (admins quote it to Genesys support). */
  async callWithMeta<T>(operation: string, schema: ZodType<T>, run: () => Promise<unknown>, opts: CallOptions): Promise<{ data: T; correlationId?: string }> {
    const started = this.now();
    const deadlineAt = opts.deadlineAt ?? started + this.deps.fetch.deadlineMs;
    let refreshedAfter401 = false;
    this.breaker.check(operation);
    for (let attempt = 0; ; attempt++) {
      let error: UpstreamError;
      try {
        const result = await this.attempt(operation, schema, run, opts);
        this.breaker.succeeded();
        return result;
      } catch (raw) {
        if (opts.signal?.aborted) throw opts.signal.reason ?? raw;
        error = raw instanceof UpstreamError ? raw : toUpstreamError(raw, operation);
      }
      if (error.status === 401 && !refreshedAfter401 && this.deps.userToken === undefined) {
        // An expired or revoked token: renew once and try again, without counting it as a retry.
        refreshedAfter401 = true;
        const refused = this.refusedToken.get(error);
        if (refused !== undefined) {
          if (this.token?.value === refused) this.token = null;
          await this.tokens.discard(refused);
        } else this.token = null;
        attempt--;
        continue;
      }
      if (error.status === 429) {
        this.stats.rateLimited++;
        getMetrics().upstreamRateLimited.inc({ operation });
        if (error.retryAfterSeconds !== undefined) {
          const pauseMs = Math.min(error.retryAfterSeconds * 1000, this.deps.fetch.retryAfterCapMs);
          this.pausedUntil = Math.max(this.pausedUntil, this.now() + pauseMs);
          this.budget.pause?.(pauseMs);
        }
      }
      const decision = this.retryDecision(attempt + 1, error, started, deadlineAt - started);
      if (!decision.retry) {
        if (decision.reason !== "not_retryable") this.breaker.failed();
        throw error;
      }
      this.stats.retries++;
      getMetrics().upstreamRetries.inc({ operation });
      const told = error.status === 429 && decision.delayMs >= WAIT_WORTH_SAYING_MS;
      if (told) opts.onWait?.({ reason: "rate-limit", seconds: Math.ceil(decision.delayMs / 1000) });
      await awaitWithoutSlot(sleep(decision.delayMs, opts.signal));
      if (told) opts.onWait?.(null);
    }
  }

  /** The one retry decision (retry-policy.ts), for API calls and logins alike. */
  private retryDecision(attempt: number, error: UpstreamError, started: number, deadlineMs: number): RetryDecision {
    return decideRetry({
      attempt,
      error,
      elapsedMs: this.now() - started,
      deadlineMs,
      maxRetries: this.deps.fetch.maxRetries,
      retryAfterCapMs: this.deps.fetch.retryAfterCapMs,
      random: this.random,
    });
  }

  private async attempt<T>(operation: string, schema: ZodType<T>, run: () => Promise<unknown>, opts: CallOptions): Promise<{ data: T; correlationId?: string }> {
    let ticket: Ticket | undefined;
    let status = 0;
    let correlationId: string | undefined;
    let failure: UpstreamError | undefined;
    let token: string | undefined;
    let sentAt = this.now();
    try {
      // All the waiting (pause, turn, token, Genesys' answer) gives the request's admission slot back
      // meanwhile; reading the answer below is CPU work again.
      const response = await awaitWithoutSlot(
        (async () => {
          const pause = this.pausedUntil - this.now();
          if (pause >= WAIT_WORTH_SAYING_MS) opts.onWait?.({ reason: "rate-limit", seconds: Math.ceil(pause / 1000) });
          if (pause > 0) await sleep(pause, opts.signal);
          const lane = opts.lane ?? GENERAL_LANE;
          const queued = this.scheduler.waitEstimateMs(lane);
          if (queued >= WAIT_WORTH_SAYING_MS) opts.onWait?.({ reason: "budget", seconds: Math.ceil(queued / 1000) });
          // The slot and the grant together, just before sending: a grant never waits for a connection.
          ticket = await this.scheduler.admit(lane, opts.signal);
          if (pause >= WAIT_WORTH_SAYING_MS || queued >= WAIT_WORTH_SAYING_MS) opts.onWait?.(null);
          sentAt = this.now();
          token = await this.accessToken();
          this.sdkClient.setAccessToken(token);
          return withTimeout(run(), this.deps.fetch.requestTimeoutMs + 1_000, operation);
        })(),
      );
      if (!isExtendedResponse(response)) throw new UpstreamError({ kind: "malformed", message: "Unexpected response shape from the SDK", operation });
      status = response.status;
      const header = response.headers["inin-correlation-id"];
      if (typeof header === "string") correlationId = header;
      const parsed = schema.safeParse(response.body);
      if (!parsed.success) {
        throw new UpstreamError({ kind: "malformed", status: response.status, message: "Genesys returned a body that could not be read", operation });
      }
      return { data: parsed.data, ...(correlationId !== undefined ? { correlationId } : {}) };
    } catch (raw) {
      // Aborted while still waiting for its turn: nothing was sent, nothing to count.
      if (ticket === undefined) throw raw;
      failure = raw instanceof UpstreamError ? raw : toUpstreamError(raw, operation);
      status = failure.status;
      correlationId ??= failure.correlationId;
      if (failure.status === 401 && token !== undefined) this.refusedToken.set(failure, token);
      throw failure;
    } finally {
      if (ticket !== undefined) {
        // The answer is in: the grant's last window starts now (request-limiter.ts says why).
        ticket.done();
        this.count(operation, status);
        logUpstreamCall({ operation, status, durationMs: this.now() - sentAt, correlationId, failure, staff: this.deps.userToken !== undefined });
        opts.onCall?.(operation, status);
      }
    }
  }

  private count(operation: string, status: number): void {
    getMetrics().upstreamRequests.inc({ operation, status: String(status) });
    const byStatus = (this.stats.calls[operation] ??= {});
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }

  /** A cached client-credentials token; one login in flight at a time however many callers wait. */
  accessToken(): Promise<string> {
    if (this.deps.userToken !== undefined) return Promise.resolve(this.deps.userToken);
    if (this.token && this.now() < this.token.renewAt) return Promise.resolve(this.token.value);
    this.refreshing ??= this.tokens
      .obtain(() => this.login())
      .then((issued) => {
        this.token = issued;
        return issued.value;
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  private async login(): Promise<IssuedToken> {
    const started = this.now();
    for (let attempt = 0; ; attempt++) {
      try {
        this.stats.tokenRefreshes++;
        const auth = await withTimeout(
          this.sdkClient.loginClientCredentialsGrant(this.deps.genesys.clientId, this.deps.genesys.clientSecret),
          this.deps.fetch.requestTimeoutMs + 1_000,
          "oauthToken",
        );
        return issuedToken(accessTokenOf(auth), typeof auth.tokenExpiryTime === "number" ? auth.tokenExpiryTime : undefined, this.now());
      } catch (raw) {
        const error = raw instanceof UpstreamError ? raw : toUpstreamError(raw, "oauthToken");
        const decision = this.retryDecision(attempt + 1, error, started, this.deps.fetch.deadlineMs);
        if (!decision.retry) throw error;
        await sleep(decision.delayMs);
      }
    }
  }
}
