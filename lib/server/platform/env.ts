import "server-only";
import { inspect } from "node:util";
import { z } from "zod";
import { AppError } from "./errors";
import { describeRegionChoices, resolveRegion, type Region } from "./regions";

// The only module that reads process.env (STYLE.md §2). Everything else receives typed config.

export const ISOLATION_MODES = ["verify", "search-only", "fail-closed"] as const;
export type IsolationMode = (typeof ISOLATION_MODES)[number];

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where login and API calls go instead of the region hosts, as the SDK's `setGateway` takes it. */
export interface GatewayConfig {
  protocol: "http" | "https";
  host: string;
  /** Always explicit: the SDK ignores ports below 1. */
  port: number;
  /** "" or e.g. "/genesys"; the SDK's path_params_login and path_params_api alike. */
  pathPrefix: string;
  url: string;
}

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

export type EnvSource = Record<string, string | undefined>;

/** Thrown by parseEnv: `message` has one line per problem, `VARIABLE: what is wrong; what to use`. */
export class ConfigError extends AppError {
  override readonly name = "ConfigError";
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super("config_error", problems.join("\n"));
    this.problems = Object.freeze([...problems]);
  }
}

// Field schemas. Each takes the raw string (or undefined) and yields a typed value; blank counts as
// unset, since `.env` files and orchestrators often export `NAME=` for "no value".

const rawText = z.string({ error: "must be a string" }).optional();

function shown(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}

function blankToUndefined(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === "" ? undefined : trimmed;
}

// Secrets and ids share this; the message never echoes the value.
function requiredText(purpose: string) {
  return rawText.transform((value, ctx) => {
    const text = blankToUndefined(value);
    if (text === undefined) {
      ctx.addIssue({ code: "custom", message: `is required (${purpose})` });
      return z.NEVER;
    }
    return text;
  });
}

function integer(options: { min: number; max: number; default: number; why?: string }) {
  const choices = `use a whole number from ${options.min} to ${options.max} (default ${options.default})${options.why ? `; ${options.why}` : ""}`;
  return rawText.transform((value, ctx) => {
    const text = blankToUndefined(value);
    if (text === undefined) return options.default;
    if (!/^[+-]?\d+$/.test(text)) {
      ctx.addIssue({ code: "custom", message: `${shown(text)} is not a whole number; ${choices}` });
      return z.NEVER;
    }
    const number = Number(text);
    if (number < options.min || number > options.max) {
      ctx.addIssue({ code: "custom", message: `${number} is out of range; ${choices}` });
      return z.NEVER;
    }
    return number;
  });
}

function oneOf<const T extends readonly string[]>(choices: T, what: string, fallback: T[number]) {
  return rawText.transform((value, ctx): T[number] => {
    const text = blankToUndefined(value)?.toLowerCase();
    if (text === undefined) return fallback;
    const match = choices.find((choice) => choice === text);
    if (match === undefined) {
      ctx.addIssue({ code: "custom", message: `${shown(text)} is not ${what}; use one of ${choices.join(", ")} (default ${fallback})` });
      return z.NEVER;
    }
    return match;
  });
}

const region = rawText.transform((value, ctx): Region | undefined => {
  const text = blankToUndefined(value);
  if (text === undefined) return undefined;
  const resolved = resolveRegion(text);
  if (!resolved) {
    ctx.addIssue({ code: "custom", message: `${shown(text)} is not a Genesys Cloud region; ${describeRegionChoices()}` });
    return z.NEVER;
  }
  return resolved;
});

const GATEWAY_EXAMPLE = "use an absolute http(s) URL such as http://127.0.0.1:4010 or https://gateway.example.com/genesys";

// The value is not echoed: a malformed URL may still hold credentials.
const gatewayUrl = rawText.transform((value, ctx): GatewayConfig | undefined => {
  const text = blankToUndefined(value);
  if (text === undefined) return undefined;
  const fail = (problem: string) => {
    ctx.addIssue({ code: "custom", message: `${problem}; ${GATEWAY_EXAMPLE}` });
    return z.NEVER;
  };
  // Without this, "localhost:4010" would parse as a URL whose protocol is "localhost:".
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return fail("must start with http:// or https://");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail("is not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return fail(`must use http or https, not ${shown(url.protocol.replace(/:$/, ""))}`);
  if (url.username !== "" || url.password !== "") return fail("must not contain a user name or password");
  if (url.search !== "" || url.hash !== "") return fail("must not contain a query string or fragment");
  const protocol = url.protocol === "http:" ? "http" : "https";
  const port = url.port === "" ? (protocol === "http" ? 80 : 443) : Number(url.port);
  const pathPrefix = url.pathname.replace(/\/+$/, "");
  return { protocol, host: url.hostname, port, pathPrefix, url: `${protocol}://${url.hostname}:${port}${pathPrefix}` };
});

// The schema, grouped by the config section each variable feeds. To add a section (staff login,
// NEXTAUTH_*), add a `…Fields` object, spread it into `fields`, and build it in `toEnv`.

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
  LOG_LEVEL: oneOf(LOG_LEVELS, "a log level", "info"),
  METRICS_BEARER_TOKEN: rawText.transform((value, ctx) => {
    const text = blankToUndefined(value);
    if (text !== undefined && text.length < 16) {
      ctx.addIssue({ code: "custom", message: "must be at least 16 characters (or unset to disable /api/metrics)" });
      return z.NEVER;
    }
    return text;
  }),
};

// Not echoed: a Redis URL may carry a password.
const redisUrl = rawText.transform((value, ctx) => {
  const text = blankToUndefined(value);
  if (text === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "redis:" && url.protocol !== "rediss:") || url.hostname === "") {
    ctx.addIssue({ code: "custom", message: "must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379/0 (or unset for in-process state)" });
    return z.NEVER;
  }
  return text;
});

const sharedFields = {
  REDIS_URL: redisUrl,
  REDIS_KEY_PREFIX: rawText.transform((value, ctx) => {
    const text = blankToUndefined(value) ?? "tenantscope:";
    if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(text)) {
      ctx.addIssue({ code: "custom", message: `${shown(text)} is not a key prefix; use up to 64 letters, digits and : _ . - (default tenantscope:)` });
      return z.NEVER;
    }
    return text;
  }),
};

const auditFields = {
  AUDIT_DB_PATH: rawText.transform((value) => blankToUndefined(value) ?? "data/audit.sqlite"),
  AUDIT_RETENTION_DAYS: integer({ min: 1, max: 3_650, default: 400 }),
};

const fields = { ...genesysFields, ...fetchFields, ...cacheFields, ...policyFields, ...sharedFields, ...auditFields };
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
    audit: { dbPath: raw.AUDIT_DB_PATH, retentionDays: raw.AUDIT_RETENTION_DAYS },
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

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function configError(issues: readonly z.core.$ZodIssue[]): ConfigError {
  return new ConfigError(issues.map((issue) => `${issue.path.map(String).join(".") || "environment"}: ${issue.message}`));
}

/** Parses a variable map into typed config, or throws ConfigError listing every problem. Pure. */
export function parseEnv(source: EnvSource): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) throw configError(result.error.issues);
  const env = result.data;
  // Defence in depth: logging the whole config object (`log.info({ env })`) prints the redacted view.
  Object.defineProperties(env, {
    toJSON: { value: () => describeEnvForLog(env) },
    [inspect.custom]: { value: () => describeEnvForLog(env) },
  });
  return deepFreeze(env);
}

// ---- staff sign-in (the web app only; the export CLI does not need these) ------------------------------

export interface AuthEnv {
  nextAuthSecret: string;
  staffClientId: string;
  staffClientSecret: string;
  /** Admins by Genesys user id or email (lower case), and/or by holding a Genesys permission. */
  adminEmails: readonly string[];
  adminUserIds: readonly string[];
  adminPermission: string | undefined;
  /** How often a signed-in staff member's divisions are re-read from Genesys (≤ 300 s, Genesys' own delay). */
  divisionsRefreshSeconds: number;
  sessionMaxAgeSeconds: number;
  /** The app's public URL (next-auth reads NEXTAUTH_URL itself too); https means __Secure- cookies. */
  appUrl: string | undefined;
  secureCookies: boolean;
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== "");
}

const PERMISSION_PATTERN = /^[a-zA-Z][a-zA-Z0-9]*:[a-zA-Z0-9*]+:[a-zA-Z0-9*]+$/;

const authSchema = z
  .object({
    NEXTAUTH_SECRET: rawText.transform((value, ctx) => {
      const text = blankToUndefined(value);
      if (text === undefined || text.length < 32) {
        ctx.addIssue({ code: "custom", message: "is required: at least 32 random characters that sign and encrypt sessions (e.g. `openssl rand -base64 32`)" });
        return z.NEVER;
      }
      return text;
    }),
    GENESYS_STAFF_CLIENT_ID: requiredText("the id of a Genesys Cloud OAuth client with the Code Authorization grant, for staff sign-in"),
    GENESYS_STAFF_CLIENT_SECRET: requiredText("that staff OAuth client's secret"),
    TENANTSCOPE_ADMIN_EMAILS: rawText.transform(list),
    TENANTSCOPE_ADMIN_USER_IDS: rawText.transform(list),
    TENANTSCOPE_ADMIN_PERMISSION: rawText.transform((value, ctx) => {
      const text = blankToUndefined(value);
      if (text !== undefined && !PERMISSION_PATTERN.test(text)) {
        ctx.addIssue({ code: "custom", message: `${shown(text)} is not a Genesys permission; use domain:entity:action such as authorization:grant:view` });
        return z.NEVER;
      }
      return text;
    }),
    STAFF_DIVISIONS_REFRESH_SECONDS: integer({ min: 1, max: 300, default: 300, why: "Genesys itself takes up to 5 minutes to apply permission changes" }),
    SESSION_MAX_AGE_SECONDS: integer({ min: 300, max: 604_800, default: 28_800 }),
    NEXTAUTH_URL: rawText.transform((value, ctx) => {
      const text = blankToUndefined(value);
      if (text === undefined) return undefined;
      if (!/^https?:\/\/[^/]+/i.test(text)) {
        ctx.addIssue({ code: "custom", message: "must be the app's absolute URL, such as https://tenantscope.example.com or http://localhost:3000" });
        return z.NEVER;
      }
      return text.replace(/\/+$/, "");
    }),
  })
  .transform(
    (raw): AuthEnv => ({
      nextAuthSecret: raw.NEXTAUTH_SECRET,
      staffClientId: raw.GENESYS_STAFF_CLIENT_ID,
      staffClientSecret: raw.GENESYS_STAFF_CLIENT_SECRET,
      adminEmails: raw.TENANTSCOPE_ADMIN_EMAILS,
      adminUserIds: raw.TENANTSCOPE_ADMIN_USER_IDS,
      adminPermission: raw.TENANTSCOPE_ADMIN_PERMISSION,
      divisionsRefreshSeconds: raw.STAFF_DIVISIONS_REFRESH_SECONDS,
      sessionMaxAgeSeconds: raw.SESSION_MAX_AGE_SECONDS,
      appUrl: raw.NEXTAUTH_URL,
      secureCookies: raw.NEXTAUTH_URL?.startsWith("https://") ?? false,
    }),
  );

/** Parses the staff sign-in variables, or throws ConfigError listing every problem. Pure. */
export function parseAuthEnv(source: EnvSource): AuthEnv {
  const result = authSchema.safeParse(source);
  if (!result.success) throw configError(result.error.issues);
  const env = result.data;
  Object.defineProperties(env, {
    toJSON: { value: () => ({ ...env, nextAuthSecret: "[set]", staffClientSecret: "[set]" }) },
    [inspect.custom]: { value: () => ({ ...env, nextAuthSecret: "[set]", staffClientSecret: "[set]" }) },
  });
  return deepFreeze(env);
}

/**
 * LOG_LEVEL on its own, for the logger: it must work even when the rest of the configuration does not parse
 * (that problem is reported through it) and in processes that need no Genesys settings (tests, tools).
 */
export function logLevelFromEnv(): LogLevel {
  const parsed = policyFields.LOG_LEVEL.safeParse(process.env.LOG_LEVEL);
  return parsed.success ? parsed.data : "info";
}

let cachedAuth: AuthEnv | undefined;

export function getAuthEnv(): AuthEnv {
  cachedAuth ??= parseAuthEnv(process.env);
  return cachedAuth;
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
    audit: { ...env.audit },
  };
}

/** A URL without its password (logged at start-up). */
function redactUrl(text: string): string {
  const url = new URL(text);
  if (url.password !== "") url.password = "[redacted]";
  return url.toString();
}
