import "server-only";

import type { ZodType } from "zod";

import type { AuthEnv, Env, FetchConfig, GenesysConfig } from "@/lib/server/platform";
import { toUpstreamError, UpstreamError } from "./upstream-error";
import {
  authzDivisionSchema,
  divisionListingSchema,
  divisionsPermittedSchema,
  oauthClientSchema,
  organizationSchema,
  roleSchema,
  tokenInfoSchema,
  userListingSchema,
  usersSearchResponseSchema,
  apiUserSchema,
  type ApiUser,
  type AuthzDivision,
} from "./schemas";
import { awaitWithoutSlot } from "@/lib/server/platform";
import { createSdkClient, isExtendedResponse, sdk, type SdkClient } from "./sdk";
import { getLogger } from "@/lib/server/platform";
import { getMetrics } from "@/lib/server/platform";
import { currentRequestId } from "@/lib/server/platform";
import { SlidingWindowBudget, Semaphore, sleep, type ConcurrencyLimit, type RequestBudget } from "./request-limiter";
import { decideRetry } from "./retry-policy";

// The one module that talks to Genesys. Every call goes through `call()`: the shared budget and
// concurrency limit, a per-request timeout, retries (429 with Retry-After, 5xx, timeouts, network and
// malformed bodies; never other 4xx), one token refresh on 401, and typed errors.

/** Per-fetch options: cancellation, an overall deadline, and a hook to count upstream calls. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Epoch ms after which no retry starts. */
  deadlineAt?: number;
  onCall?: (operation: string, status: number) => void;
}

export interface UserSearchCriterion {
  type: "EXACT" | "STARTS_WITH" | "CONTAINS";
  fields: string[];
  values: string[];
  operator?: "AND" | "OR" | "NOT";
}

export interface UserSearchBody {
  pageSize: number;
  pageNumber: number;
  sort: { sortBy: string; sortOrder: "ASC" | "DESC" }[];
  query: UserSearchCriterion[];
  enforcePermissions: boolean;
}

/** (inferred) GET /api/v2/users has no documented maximum page size; 500 is a third-party figure. */
const DIRECTORY_PAGE_SIZE = 500;

/** Tokens are renewed this long before `expires_in` runs out, so a request never carries a dying token. */
const TOKEN_EARLY_RENEWAL_MS = 60_000;

export interface ClientStats {
  calls: Record<string, Record<string, number>>;
  retries: number;
  rateLimited: number;
  tokenRefreshes: number;
}

/** A client-credentials token and when to renew it (epoch ms). */
export interface IssuedToken {
  value: string;
  renewAt: number;
  expiresAt: number;
}

/** Where the BFF's token comes from: this process's own login, or one shared by all instances (shared-token.ts). */
export interface TokenSource {
  /** A live token: a shared one when there is one, else the result of `login`. */
  obtain(login: () => Promise<IssuedToken>): Promise<IssuedToken>;
  /** Genesys refused `value` (401): nobody should use it again. */
  discard(value: string): Promise<void>;
}

const OWN_TOKENS: TokenSource = { obtain: (login) => login(), discard: async () => undefined };

export interface GenesysClientDeps {
  genesys: GenesysConfig;
  fetch: FetchConfig;
  /**
   * Where tokens come from. Default: the BFF's client-credentials grant. A signed-in staff member's client
   * passes their own token instead (it cannot be renewed here: a 401 then surfaces to the caller).
   */
  userToken?: string;
  budget?: RequestBudget;
  limit?: ConcurrencyLimit;
  tokens?: TokenSource;
  now?: () => number;
  random?: () => number;
}

export class GenesysClient {
  private readonly sdkClient: SdkClient;
  private readonly apis;
  private readonly budget: RequestBudget;
  private readonly limit: ConcurrencyLimit;
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
    this.apis = {
      users: new sdk.UsersApi(this.sdkClient),
      search: new sdk.SearchApi(this.sdkClient),
      authorization: new sdk.AuthorizationApi(this.sdkClient),
      tokens: new sdk.TokensApi(this.sdkClient),
      oauth: new sdk.OAuthApi(this.sdkClient),
      organization: new sdk.OrganizationApi(this.sdkClient),
    };
    this.budget = deps.budget ?? new SlidingWindowBudget(deps.fetch.requestsPerMinute);
    this.limit = deps.limit ?? new Semaphore(deps.fetch.concurrency);
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.breaker = new CircuitBreaker(this.now);
    this.tokens = deps.tokens ?? OWN_TOKENS;
  }

  // ---- operations -------------------------------------------------------------------------------------

  getDivision(divisionId: string, opts: CallOptions = {}): Promise<AuthzDivision> {
    return this.call("getAuthorizationDivision", authzDivisionSchema, () => this.apis.authorization.getAuthorizationDivision(divisionId, { objectCount: true }), opts);
  }

  async listDivisions(opts: CallOptions = {}): Promise<AuthzDivision[]> {
    const out: AuthzDivision[] = [];
    for (let pageNumber = 1; ; pageNumber++) {
      const page = await this.call(
        "getAuthorizationDivisions",
        divisionListingSchema,
        () => this.apis.authorization.getAuthorizationDivisions({ pageSize: 100, pageNumber, objectCount: true }),
        opts,
      );
      out.push(...page.entities);
      if (page.entities.length === 0 || pageNumber >= (page.pageCount ?? 1)) return out;
    }
  }

  /** Divisions in which this client holds `permission` (all pages); `all` mirrors allDivsPermitted. */
  async divisionsPermitted(permission: string, opts: CallOptions = {}): Promise<{ all: boolean; divisions: AuthzDivision[]; correlationId?: string }> {
    const divisions: AuthzDivision[] = [];
    let all = false;
    let lastCorrelationId: string | undefined;
    for (let pageNumber = 1; ; pageNumber++) {
      const { data: page, correlationId } = await this.callWithMeta(
        "getAuthorizationDivisionspermittedPagedMe",
        divisionsPermittedSchema,
        () => this.apis.authorization.getAuthorizationDivisionspermittedPagedMe(permission, { pageNumber, pageSize: 100 }),
        opts,
      );
      all ||= page.allDivsPermitted === true;
      divisions.push(...page.entities);
      lastCorrelationId = correlationId;
      if (page.entities.length === 0 || pageNumber >= (page.pageCount ?? 1)) return { all, divisions, ...(lastCorrelationId ? { correlationId: lastCorrelationId } : {}) };
    }
  }

  searchUsers(body: UserSearchBody, opts: CallOptions = {}) {
    return this.call("postUsersSearch", usersSearchResponseSchema, () => this.apis.search.postUsersSearch(body), opts);
  }

  /** The directory's view of up to 100 users (any state): the authoritative division check. */
  async getUsersByIds(ids: string[], opts: CallOptions = {}): Promise<ApiUser[]> {
    if (ids.length > 100) throw new Error("getUsersByIds takes at most 100 ids");
    const page = await this.call("getUsers", userListingSchema, () => this.apis.users.getUsers({ id: ids, pageSize: 100, state: "any" }), opts);
    return page.entities;
  }

  /** One page of the whole directory (no division filter exists; CONTRACT.md §a.1), every state. */
  listUsersPage(pageNumber: number, opts: CallOptions = {}) {
    return this.call("getUsers", userListingSchema, () => this.apis.users.getUsers({ pageNumber, pageSize: DIRECTORY_PAGE_SIZE, state: "any" }), opts);
  }

  getUsersMe(opts: CallOptions = {}) {
    return this.call("getUsersMe", apiUserSchema, () => this.apis.users.getUsersMe(), opts);
  }

  getTokenInfo(opts: CallOptions = {}) {
    return this.call("getTokensMe", tokenInfoSchema, () => this.apis.tokens.getTokensMe(), opts);
  }

  getOauthClient(clientId: string, opts: CallOptions = {}) {
    return this.call("getOauthClient", oauthClientSchema, () => this.apis.oauth.getOauthClient(clientId), opts);
  }

  getRole(roleId: string, opts: CallOptions = {}) {
    return this.call("getAuthorizationRole", roleSchema, () => this.apis.authorization.getAuthorizationRole(roleId, { userCount: false }), opts);
  }

  getOrganization(opts: CallOptions = {}) {
    return this.call("getOrganizationsMe", organizationSchema, () => this.apis.organization.getOrganizationsMe(), opts);
  }

  /** Obtains a token now (health checks, diagnostics). */
  async checkToken(): Promise<void> {
    await this.accessToken();
  }

  // ---- the wrapper ------------------------------------------------------------------------------------

  private async call<T>(operation: string, schema: ZodType<T>, run: () => Promise<unknown>, opts: CallOptions): Promise<T> {
    return (await this.callWithMeta(operation, schema, run, opts)).data;
  }

  /** As `call`, plus the response's correlation id (admins quote it to Genesys support). */
  private async callWithMeta<T>(operation: string, schema: ZodType<T>, run: () => Promise<unknown>, opts: CallOptions): Promise<{ data: T; correlationId?: string }> {
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
      const decision = decideRetry({
        attempt: attempt + 1,
        error,
        elapsedMs: this.now() - started,
        deadlineMs: deadlineAt - started,
        maxRetries: this.deps.fetch.maxRetries,
        retryAfterCapMs: this.deps.fetch.retryAfterCapMs,
        random: this.random,
      });
      if (!decision.retry) {
        if (decision.reason !== "not_retryable") this.breaker.failed();
        throw error;
      }
      this.stats.retries++;
      getMetrics().upstreamRetries.inc({ operation });
      await awaitWithoutSlot(sleep(decision.delayMs, opts.signal));
    }
  }

  private async attempt<T>(operation: string, schema: ZodType<T>, run: () => Promise<unknown>, opts: CallOptions): Promise<{ data: T; correlationId?: string }> {
    let release: (() => void) | undefined;
    let status = 0;
    let correlationId: string | undefined;
    let failure: UpstreamError | undefined;
    let token: string | undefined;
    let sentAt = this.now();
    try {
      // All the waiting (pause, budget, concurrency, token, Genesys' answer) gives the request's admission
      // slot back meanwhile; reading the answer below is CPU work again.
      const response = await awaitWithoutSlot(
        (async () => {
          const pause = this.pausedUntil - this.now();
          if (pause > 0) await sleep(pause, opts.signal);
          await this.budget.take(opts.signal);
          release = await this.limit.acquire(opts.signal);
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
      if (release === undefined) throw raw;
      failure = raw instanceof UpstreamError ? raw : toUpstreamError(raw, operation);
      status = failure.status;
      correlationId ??= failure.correlationId;
      if (failure.status === 401 && token !== undefined) this.refusedToken.set(failure, token);
      throw failure;
    } finally {
      if (release !== undefined) {
        release();
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
  private accessToken(): Promise<string> {
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
        const value = auth.accessToken;
        if (typeof value !== "string" || value === "") throw new UpstreamError({ kind: "malformed", message: "The token response had no access_token", operation: "oauthToken" });
        const expiresAt = typeof auth.tokenExpiryTime === "number" ? auth.tokenExpiryTime : this.now() + 300_000;
        const lifetime = expiresAt - this.now();
        // Renew a minute early, or at 80 % of very short lifetimes (tests use seconds-long tokens).
        return { value, renewAt: this.now() + Math.max(0, Math.min(lifetime - TOKEN_EARLY_RENEWAL_MS, lifetime * 0.8)), expiresAt };
      } catch (raw) {
        const error = raw instanceof UpstreamError ? raw : toUpstreamError(raw, "oauthToken");
        const decision = decideRetry({
          attempt: attempt + 1,
          error,
          elapsedMs: this.now() - started,
          deadlineMs: this.deps.fetch.deadlineMs,
          maxRetries: this.deps.fetch.maxRetries,
          retryAfterCapMs: this.deps.fetch.retryAfterCapMs,
          random: this.random,
        });
        if (!decision.retry) throw error;
        await sleep(decision.delayMs);
      }
    }
  }
}

/** A client acting as one signed-in staff member, with their own token and a small budget of its own. */
export function staffGenesysClient(env: Env, userToken: string): GenesysClient {
  return new GenesysClient({
    genesys: env.genesys,
    fetch: { ...env.fetch, concurrency: 4, maxRetries: 2 },
    userToken,
    budget: new SlidingWindowBudget(60),
  });
}

/**
 * When Genesys keeps failing (calls that exhausted their retries on 5xx, 429, timeouts or network errors),
 * new calls fail at once for a cool-down instead of each spending its whole retry budget: cold fetches
 * then fail fast with a clear message while cached data is served stale. After the cool-down one call
 * goes through; its success closes the breaker again (automatic recovery).
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;

  constructor(
    private readonly now: () => number,
    private readonly threshold = 3,
    private readonly cooldownMs = 30_000,
  ) {}

  check(operation: string): void {
    const wait = this.openUntil - this.now();
    if (wait > 0) {
      throw new UpstreamError({
        kind: "network",
        status: 0,
        message: `Genesys Cloud has been failing; calls pause for ${Math.ceil(wait / 1000)} s`,
        operation,
        retryAfterSeconds: Math.ceil(wait / 1000),
      });
    }
    // Half-open after the cool-down: this call is the probe; its failure re-opens the breaker at once.
    if (this.openUntil !== 0) this.failures = this.threshold - 1;
  }

  succeeded(): void {
    this.failures = 0;
    this.openUntil = 0;
  }

  failed(): void {
    this.failures++;
    if (this.failures >= this.threshold) this.openUntil = this.now() + this.cooldownMs;
  }

  get isOpen(): boolean {
    return this.openUntil > this.now();
  }
}

/**
 * One log line per Genesys call, with the request that caused it and Genesys' correlation id (what Genesys
 * support asks for). Failures at warn, so that they show at the usual production level.
 */
function logUpstreamCall(call: { operation: string; status: number; durationMs: number; correlationId: string | undefined; failure: UpstreamError | undefined; staff: boolean }): void {
  const fields = {
    requestId: currentRequestId(),
    upstream: {
      operation: call.operation,
      status: call.status,
      durationMs: call.durationMs,
      correlationId: call.correlationId,
      identity: call.staff ? "staff" : "bff",
      ...(call.failure ? { kind: call.failure.kind, genesysCode: call.failure.genesysCode } : {}),
    },
  };
  if (call.failure) getLogger().warn(fields, `genesys ${call.operation} failed (${call.failure.kind} ${call.status})`);
  else getLogger().info(fields, `genesys ${call.operation} ${call.status}`);
}

function withTimeout<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UpstreamError({ kind: "timeout", message: `Genesys did not answer within ${ms} ms`, operation })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Renews a staff member's token with their refresh token (Code Authorization grant, staff client). */
export async function refreshStaffToken(env: Env, auth: AuthEnv, refreshToken: string): Promise<{ accessToken: string; refreshToken?: string; accessTokenExpiresAt: number }> {
  const client = createSdkClient(env.genesys, env.fetch.requestTimeoutMs);
  try {
    const data = await withTimeout(
      client.refreshCodeAuthorizationGrant(auth.staffClientId, auth.staffClientSecret, refreshToken),
      env.fetch.requestTimeoutMs + 1_000,
      "oauthToken",
    );
    if (typeof data.accessToken !== "string" || data.accessToken === "") {
      throw new UpstreamError({ kind: "malformed", message: "The token response had no access_token", operation: "oauthToken" });
    }
    // The typings omit refreshToken, which the SDK sets after a code or refresh grant.
    const renewed = (data as { refreshToken?: unknown }).refreshToken;
    return {
      accessToken: data.accessToken,
      ...(typeof renewed === "string" && renewed !== "" ? { refreshToken: renewed } : {}),
      accessTokenExpiresAt: typeof data.tokenExpiryTime === "number" ? data.tokenExpiryTime : Date.now() + 300_000,
    };
  } catch (raw) {
    // The SDK rejects login calls with a raw AxiosError whose config carries the Basic header.
    throw raw instanceof UpstreamError ? raw : toUpstreamError(raw, "oauthToken");
  }
}
