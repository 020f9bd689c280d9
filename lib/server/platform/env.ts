import "server-only";
import path from "node:path";

import { z } from "zod";

import { blankToUndefined, integer, LOG_LEVELS, logLevel, oneOf, rawText, requiredText } from "@/lib/config/fields.mjs";
import { ISOLATION_MODES } from "@/lib/shared/contract";

import { gatewayUrl, metricsBearerToken, parseFrozen, postgresUrl, redactUrl, redisKeyPrefix, redisUrl, region, type EnvSource, type GatewayConfig } from "./env-fields";
import { describeRegionChoices, resolveRegion, type Region } from "./regions";

// The app's settings. This file and auth-env.ts (staff sign-in, re-exported below) are the only app modules
// that read process.env; everything else receives typed config.

export { ConfigError, type EnvSource, type GatewayConfig } from "./env-fields";
export { AUTH_ENV_VARIABLES, getAuthEnv, parseAuthEnv, type AuthEnv } from "./auth-env";
export { LOG_LEVELS };

// The isolation modes are part of what the browser is told (each payload names its mode): one list for both.
export { ISOLATION_MODES };
export type IsolationMode = (typeof ISOLATION_MODES)[number];

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface GenesysConfig {
  clientId: string;
  clientSecret: string;
  /** Still resolved when a gateway is set (then it only names the region in logs). */
  region: Region;
  gateway: GatewayConfig | undefined;
  /** The gateway URL when set, else `https://login.<host>`; `/oauth/token` is appended. */
  loginBaseUrl: string;
  /** The gateway URL when set, else `https://api.<host>`; `/api/v2/...` is appended. */
  apiBaseUrl: string;
}

export interface FetchConfig {
  concurrency: number;
  requestsPerMinute: number;
  requestTimeoutMs: number;
  /** For fetching one whole division, retries included. */
  deadlineMs: number;
  maxRetries: number;
  retryAfterCapMs: number;
}

export interface CacheConfig {
  ttlSeconds: number;
  /** How long past its TTL an entry may still be served while a refresh runs. */
  staleSeconds: number;
  maxEntries: number;
  forceRefreshMinIntervalSeconds: number;
}

export interface SharedConfig {
  /** Redis for state shared by all instances (token, cache, single-flight, budget, sign-outs); unset: in-process. */
  redisUrl: string | undefined;
  keyPrefix: string;
}

export interface AuditConfig {
  /** SQLite file of the audit trail (":memory:" keeps it in memory, for throwaway runs). */
  dbPath: string;
  retentionDays: number;
  /** PostgreSQL for a trail shared by every instance; unset: the SQLite file above. */
  databaseUrl: string | undefined;
  /** Where this instance keeps events (NDJSON, fsynced) while PostgreSQL cannot be reached; one file per instance. */
  bufferPath: string;
  /** At most this many events are kept there; past it, views are refused (503) rather than left unrecorded. */
  bufferMaxEvents: number;
}

export interface Env {
  genesys: GenesysConfig;
  fetch: FetchConfig;
  cache: CacheConfig;
  isolation: { mode: IsolationMode };
  log: { level: LogLevel };
  /** Bearer token that /api/metrics requires; undefined disables the endpoint. */
  metrics: { bearerToken: string | undefined };
  shared: SharedConfig;
  audit: AuditConfig;
}

// The schema, grouped by the config section each variable feeds. To add a section, add a `…Fields` object,
// spread it into `fields`, and build it in `toEnv`.

const genesysFields = {
  GENESYS_CLIENT_ID: requiredText("the id of a Genesys Cloud OAuth client with the Client Credentials grant"),
  GENESYS_CLIENT_SECRET: requiredText("that OAuth client's secret"),
  GENESYS_REGION: region,
  GENESYS_GATEWAY_URL: gatewayUrl,
};

const fetchFields = {
  GENESYS_CONCURRENCY: integer({ min: 1, max: 32, default: 8 }),
  GENESYS_REQUESTS_PER_MINUTE: integer({
    min: 1,
    max: 299,
    default: 270,
    why: "Genesys Cloud allows 300 requests per minute per token",
  }),
  GENESYS_REQUEST_TIMEOUT_MS: integer({ min: 100, max: 300_000, default: 10_000 }),
  GENESYS_FETCH_DEADLINE_MS: integer({ min: 100, max: 900_000, default: 120_000 }),
  GENESYS_MAX_RETRIES: integer({ min: 0, max: 10, default: 5 }),
  GENESYS_RETRY_AFTER_CAP_MS: integer({ min: 0, max: 600_000, default: 60_000 }),
};

const cacheFields = {
  DIVISION_CACHE_TTL_SECONDS: integer({ min: 0, max: 86_400, default: 300 }),
  DIVISION_CACHE_STALE_SECONDS: integer({ min: 0, max: 604_800, default: 3_600 }),
  DIVISION_CACHE_MAX_ENTRIES: integer({ min: 1, max: 100_000, default: 200 }),
  FORCE_REFRESH_MIN_INTERVAL_SECONDS: integer({ min: 0, max: 3_600, default: 30 }),
};

const policyFields = {
  ISOLATION_MODE: oneOf(ISOLATION_MODES, "an isolation mode", "verify"),
  LOG_LEVEL: logLevel,
  METRICS_BEARER_TOKEN: metricsBearerToken,
};

const sharedFields = {
  REDIS_URL: redisUrl,
  REDIS_KEY_PREFIX: redisKeyPrefix,
};

const auditFields = {
  AUDIT_DB_PATH: rawText.transform((value) => blankToUndefined(value) ?? "data/audit.sqlite"),
  AUDIT_RETENTION_DAYS: integer({ min: 1, max: 3_650, default: 400 }),
  AUDIT_DATABASE_URL: postgresUrl,
  AUDIT_BUFFER_PATH: rawText.transform((value) => blankToUndefined(value)),
  AUDIT_BUFFER_MAX_EVENTS: integer({ min: 100, max: 10_000_000, default: 100_000 }),
};

const fields = { ...genesysFields, ...fetchFields, ...cacheFields, ...policyFields, ...sharedFields, ...auditFields };
/** Every variable this section reads (deployment files are checked against it: test/deploy/). */
export const ENV_VARIABLES: readonly string[] = Object.freeze(Object.keys(fields));
type FieldName = keyof typeof fields;
type Raw = { [K in FieldName]: z.output<(typeof fields)[K]> };

/**
 * A rule spanning several variables. It runs even when *other* variables failed, so every problem
 * is reported at once, but only when its own variables parsed (their values are then trustworthy).
 */
function crossRule<K extends FieldName>(names: readonly K[], rule: (raw: Pick<Raw, K>) => { path: K; message: string } | undefined) {
  return [
    (raw: Raw, ctx: z.RefinementCtx<Raw>) => {
      const problem = rule(raw);
      if (problem) ctx.addIssue({ code: "custom", path: [problem.path], message: problem.message });
    },
    {
      when: (payload: { issues: ReadonlyArray<{ path?: PropertyKey[] }> }) =>
        !payload.issues.some((issue) => (names as readonly PropertyKey[]).includes(issue.path?.[0] ?? "")),
    },
  ] as const;
}

const DEFAULT_REGION = "us-east-1";

function toEnv(raw: Raw): Env {
  const gateway = raw.GENESYS_GATEWAY_URL;
  const genesysRegion = raw.GENESYS_REGION ?? resolveRegion(DEFAULT_REGION);
  if (!genesysRegion) throw new Error(`region table lacks ${DEFAULT_REGION}`);
  return {
    genesys: {
      clientId: raw.GENESYS_CLIENT_ID,
      clientSecret: raw.GENESYS_CLIENT_SECRET,
      region: genesysRegion,
      gateway,
      loginBaseUrl: gateway ? gateway.url : genesysRegion.loginBaseUrl,
      apiBaseUrl: gateway ? gateway.url : genesysRegion.apiBaseUrl,
    },
    fetch: {
      concurrency: raw.GENESYS_CONCURRENCY,
      requestsPerMinute: raw.GENESYS_REQUESTS_PER_MINUTE,
      requestTimeoutMs: raw.GENESYS_REQUEST_TIMEOUT_MS,
      deadlineMs: raw.GENESYS_FETCH_DEADLINE_MS,
      maxRetries: raw.GENESYS_MAX_RETRIES,
      retryAfterCapMs: raw.GENESYS_RETRY_AFTER_CAP_MS,
    },
    cache: {
      ttlSeconds: raw.DIVISION_CACHE_TTL_SECONDS,
      staleSeconds: raw.DIVISION_CACHE_STALE_SECONDS,
      maxEntries: raw.DIVISION_CACHE_MAX_ENTRIES,
      forceRefreshMinIntervalSeconds: raw.FORCE_REFRESH_MIN_INTERVAL_SECONDS,
    },
    isolation: { mode: raw.ISOLATION_MODE },
    log: { level: raw.LOG_LEVEL },
    metrics: { bearerToken: raw.METRICS_BEARER_TOKEN },
    shared: { redisUrl: raw.REDIS_URL, keyPrefix: raw.REDIS_KEY_PREFIX },
    audit: {
      dbPath: raw.AUDIT_DB_PATH,
      retentionDays: raw.AUDIT_RETENTION_DAYS,
      databaseUrl: raw.AUDIT_DATABASE_URL,
      // Beside the SQLite file by default: each instance has its own data directory.
      bufferPath: raw.AUDIT_BUFFER_PATH ?? path.join(path.dirname(raw.AUDIT_DB_PATH === ":memory:" ? "data/x" : raw.AUDIT_DB_PATH), "audit-buffer.ndjson"),
      bufferMaxEvents: raw.AUDIT_BUFFER_MAX_EVENTS,
    },
  };
}

const envSchema = z
  .object(fields)
  .superRefine(
    ...crossRule(["GENESYS_REGION", "GENESYS_GATEWAY_URL"], (raw) =>
      raw.GENESYS_REGION === undefined && raw.GENESYS_GATEWAY_URL === undefined
        ? { path: "GENESYS_REGION", message: `is required unless GENESYS_GATEWAY_URL is set; ${describeRegionChoices()}` }
        : undefined,
    ),
  )
  .superRefine(
    ...crossRule(["GENESYS_REQUEST_TIMEOUT_MS", "GENESYS_FETCH_DEADLINE_MS"], (raw) =>
      raw.GENESYS_REQUEST_TIMEOUT_MS > raw.GENESYS_FETCH_DEADLINE_MS
        ? {
            path: "GENESYS_REQUEST_TIMEOUT_MS",
            message: `${raw.GENESYS_REQUEST_TIMEOUT_MS} exceeds GENESYS_FETCH_DEADLINE_MS (${raw.GENESYS_FETCH_DEADLINE_MS}); one request must fit in the whole fetch's deadline`,
          }
        : undefined,
    ),
  )
  .transform(toEnv);

/** Parses a variable map into typed config, or throws ConfigError listing every problem. Pure. */
export function parseEnv(source: EnvSource): Env {
  return parseFrozen(envSchema, source, describeEnvForLog);
}

/**
 * LOG_LEVEL on its own, for the logger: it must work even when the rest of the configuration does not parse
 * (that problem is reported through it) and in processes that need no Genesys settings (tests, tools).
 */
export function logLevelFromEnv(): LogLevel {
  const parsed = logLevel.safeParse(process.env.LOG_LEVEL);
  return parsed.success ? parsed.data : "info";
}

let cached: Env | undefined;

export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

export function describeEnvForLog(env: Env) {
  return {
    genesys: {
      clientId: env.genesys.clientId,
      clientSecret: env.genesys.clientSecret ? "[set]" : "[missing]",
      region: env.genesys.region.key,
      gateway: env.genesys.gateway?.url ?? null,
      loginBaseUrl: env.genesys.loginBaseUrl,
      apiBaseUrl: env.genesys.apiBaseUrl,
    },
    fetch: { ...env.fetch },
    cache: { ...env.cache },
    isolation: { ...env.isolation },
    log: { ...env.log },
    metrics: { bearerToken: env.metrics.bearerToken ? "[set]" : "[unset]" },
    shared: { redis: env.shared.redisUrl ? redactUrl(env.shared.redisUrl) : null, keyPrefix: env.shared.keyPrefix },
    audit: { ...env.audit, databaseUrl: env.audit.databaseUrl ? redactUrl(env.audit.databaseUrl) : null },
  };
}
