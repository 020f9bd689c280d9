import util from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, describeEnvForLog, getEnv, parseEnv, type EnvSource } from "@/lib/server/platform/env";
import { AppError, toErrorResponse } from "@/lib/server/platform/errors";

const SECRET = "very-secret-value-123";
const minimal: EnvSource = { GENESYS_CLIENT_ID: "client-1", GENESYS_CLIENT_SECRET: SECRET, GENESYS_REGION: "us-east-1" };

/** The ConfigError's problem lines, failing the test if parseEnv succeeds. */
function problemsOf(source: EnvSource): readonly string[] {
  try {
    parseEnv(source);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const configError = err as ConfigError;
    expect(configError.message).toBe(configError.problems.join("\n"));
    return configError.problems;
  }
  throw new Error("expected parseEnv to throw");
}

describe("parseEnv: defaults and sections", () => {
  it("builds the typed config from the minimal variables", () => {
    expect(parseEnv(minimal)).toEqual({
      genesys: {
        clientId: "client-1",
        clientSecret: SECRET,
        region: {
          key: "us-east-1",
          host: "mypurecloud.com",
          loginBaseUrl: "https://login.mypurecloud.com",
          apiBaseUrl: "https://api.mypurecloud.com",
        },
        gateway: undefined,
        loginBaseUrl: "https://login.mypurecloud.com",
        apiBaseUrl: "https://api.mypurecloud.com",
      },
      fetch: {
        concurrency: 8,
        requestsPerMinute: 270,
        requestTimeoutMs: 10_000,
        deadlineMs: 120_000,
        maxRetries: 5,
        retryAfterCapMs: 60_000,
      },
      cache: { ttlSeconds: 300, staleSeconds: 3_600, maxEntries: 200, forceRefreshMinIntervalSeconds: 30 },
      isolation: { mode: "verify" },
      log: { level: "info" },
      metrics: { bearerToken: undefined },
      shared: { redisUrl: undefined, keyPrefix: "tenantscope:" },
      audit: { dbPath: "data/audit.sqlite", retentionDays: 400, databaseUrl: undefined, bufferPath: "data/audit-buffer.ndjson", bufferMaxEvents: 100_000 },
    });
  });

  it("reads the PostgreSQL audit settings, refuses a URL of another kind, and never echoes its password", () => {
    const env = parseEnv({ ...minimal, AUDIT_DATABASE_URL: "postgres://ts:pg-s3cret@db.internal:5432/audit", AUDIT_BUFFER_PATH: "/var/spool/ts/buffer.ndjson", AUDIT_BUFFER_MAX_EVENTS: "5000" });
    expect(env.audit).toMatchObject({ databaseUrl: "postgres://ts:pg-s3cret@db.internal:5432/audit", bufferPath: "/var/spool/ts/buffer.ndjson", bufferMaxEvents: 5000 });
    expect(JSON.stringify(env)).not.toContain("pg-s3cret");
    expect(JSON.stringify(env)).toContain("db.internal");
    expect(() => parseEnv({ ...minimal, AUDIT_DATABASE_URL: "mysql://ts:pg-s3cret@db/audit" })).toThrow(/AUDIT_DATABASE_URL: must be a postgres:\/\/ URL/);
    try {
      parseEnv({ ...minimal, AUDIT_DATABASE_URL: "mysql://ts:pg-s3cret@db/audit" });
    } catch (e) {
      expect(String(e)).not.toContain("pg-s3cret");
    }
  });

  it("reads the shared store and audit settings, and never echoes a Redis URL", () => {
    const env = parseEnv({ ...minimal, REDIS_URL: " rediss://:s3cret@redis.internal:6380/2 ", REDIS_KEY_PREFIX: "ts-prod:", AUDIT_DB_PATH: "/var/lib/ts/audit.db", AUDIT_RETENTION_DAYS: "90" });
    expect(env.shared).toEqual({ redisUrl: "rediss://:s3cret@redis.internal:6380/2", keyPrefix: "ts-prod:" });
    expect(env.audit).toEqual({ dbPath: "/var/lib/ts/audit.db", retentionDays: 90, databaseUrl: undefined, bufferPath: "/var/lib/ts/audit-buffer.ndjson", bufferMaxEvents: 100_000 });
    expect(JSON.stringify(env)).not.toContain("s3cret");
    expect(JSON.stringify(env)).toContain("redis.internal");
    for (const bad of ["http://:s3cret@redis.internal", "not a url s3cret", "redis://"]) {
      const problems = problemsOf({ ...minimal, REDIS_URL: bad });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
      expect(problems[0]).not.toContain("s3cret");
    }
    expect(problemsOf({ ...minimal, REDIS_KEY_PREFIX: "has space" })[0]).toMatch(/^REDIS_KEY_PREFIX: "has space" is not a key prefix/);
    expect(problemsOf({ ...minimal, AUDIT_RETENTION_DAYS: "0" })[0]).toMatch(/^AUDIT_RETENTION_DAYS: 0 is out of range/);
  });

  it("reads every tuning variable, trimming blanks and accepting case-insensitive enums", () => {
    const env = parseEnv({
      ...minimal,
      GENESYS_REGION: " https://api.usw2.pure.cloud/ ",
      GENESYS_CONCURRENCY: "32",
      GENESYS_REQUESTS_PER_MINUTE: "299",
      GENESYS_REQUEST_TIMEOUT_MS: "5000",
      GENESYS_FETCH_DEADLINE_MS: "60000",
      GENESYS_MAX_RETRIES: "0",
      GENESYS_RETRY_AFTER_CAP_MS: "30000",
      DIVISION_CACHE_TTL_SECONDS: "60",
      DIVISION_CACHE_STALE_SECONDS: "0",
      DIVISION_CACHE_MAX_ENTRIES: "10",
      FORCE_REFRESH_MIN_INTERVAL_SECONDS: "5",
      ISOLATION_MODE: "Fail-Closed",
      LOG_LEVEL: " DEBUG ",
    });
    expect(env.genesys.region.key).toBe("us-west-2");
    expect(env.fetch).toEqual({
      concurrency: 32,
      requestsPerMinute: 299,
      requestTimeoutMs: 5_000,
      deadlineMs: 60_000,
      maxRetries: 0,
      retryAfterCapMs: 30_000,
    });
    expect(env.cache).toEqual({ ttlSeconds: 60, staleSeconds: 0, maxEntries: 10, forceRefreshMinIntervalSeconds: 5 });
    expect(env.isolation.mode).toBe("fail-closed");
    expect(env.log.level).toBe("debug");
  });

  it("treats empty values as unset (defaults apply)", () => {
    const env = parseEnv({ ...minimal, GENESYS_CONCURRENCY: "", LOG_LEVEL: "  ", GENESYS_GATEWAY_URL: "" });
    expect(env.fetch.concurrency).toBe(8);
    expect(env.log.level).toBe("info");
    expect(env.genesys.gateway).toBeUndefined();
  });

  it("returns a deeply frozen object", () => {
    const env = parseEnv(minimal);
    expect(Object.isFrozen(env)).toBe(true);
    expect(Object.isFrozen(env.fetch)).toBe(true);
    expect(Object.isFrozen(env.genesys.region)).toBe(true);
  });
});

describe("parseEnv: gateway", () => {
  it.each([
    ["http://127.0.0.1:4010", { protocol: "http", host: "127.0.0.1", port: 4010, pathPrefix: "", url: "http://127.0.0.1:4010" }],
    ["http://localhost/", { protocol: "http", host: "localhost", port: 80, pathPrefix: "", url: "http://localhost:80" }],
    [
      "https://gw.example.com/genesys/",
      { protocol: "https", host: "gw.example.com", port: 443, pathPrefix: "/genesys", url: "https://gw.example.com:443/genesys" },
    ],
    ["HTTP://[::1]:9000", { protocol: "http", host: "[::1]", port: 9000, pathPrefix: "", url: "http://[::1]:9000" }],
  ])("parses %s", (value, gateway) => {
    const env = parseEnv({ GENESYS_CLIENT_ID: "c", GENESYS_CLIENT_SECRET: "s", GENESYS_GATEWAY_URL: value });
    expect(env.genesys.gateway).toEqual(gateway);
    // Login and API both go through the gateway, as with the SDK's setGateway.
    expect(env.genesys.loginBaseUrl).toBe(gateway.url);
    expect(env.genesys.apiBaseUrl).toBe(gateway.url);
    // GENESYS_REGION is then optional and defaults to us-east-1.
    expect(env.genesys.region.key).toBe("us-east-1");
  });

  it("keeps an explicit region next to a gateway", () => {
    const env = parseEnv({ ...minimal, GENESYS_REGION: "eu-west-1", GENESYS_GATEWAY_URL: "http://127.0.0.1:4010" });
    expect(env.genesys.region.key).toBe("eu-west-1");
    expect(env.genesys.apiBaseUrl).toBe("http://127.0.0.1:4010");
  });

  it.each([
    ["not a url", "GENESYS_GATEWAY_URL: must start with http:// or https://; use an absolute http(s) URL"],
    ["127.0.0.1:4010", "GENESYS_GATEWAY_URL: must start with http:// or https://"],
    ["localhost:4010", "GENESYS_GATEWAY_URL: must start with http:// or https://"],
    ["http://exa mple.com", "GENESYS_GATEWAY_URL: is not a valid URL"],
    ["ftp://gw.example.com", "GENESYS_GATEWAY_URL: must use http or https, not \"ftp\""],
    ["https://user:pw-secret@gw.example.com", "GENESYS_GATEWAY_URL: must not contain a user name or password"],
    ["https://gw.example.com/?token=abc", "GENESYS_GATEWAY_URL: must not contain a query string or fragment"],
  ])("rejects %j", (value, expected) => {
    const problems = problemsOf({ ...minimal, GENESYS_GATEWAY_URL: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
    expect(problems[0]).not.toContain("pw-secret");
  });
});

describe("parseEnv: problems", () => {
  it("lists every problem at once, one line each, naming the variable and the choices", () => {
    const problems = problemsOf({
      GENESYS_REGION: "mars-1",
      GENESYS_CONCURRENCY: "abc",
      GENESYS_REQUESTS_PER_MINUTE: "300",
      ISOLATION_MODE: "strict",
      LOG_LEVEL: "verbose",
    });
    expect(problems).toEqual([
      "GENESYS_CLIENT_ID: is required (the id of a Genesys Cloud OAuth client with the Client Credentials grant)",
      "GENESYS_CLIENT_SECRET: is required (that OAuth client's secret)",
      expect.stringMatching(
        /^GENESYS_REGION: "mars-1" is not a Genesys Cloud region; use one of us-east-1, eu-west-1, .*, eusc-de-east-1 or an environment host such as mypurecloud\.com$/,
      ),
      "GENESYS_CONCURRENCY: \"abc\" is not a whole number; use a whole number from 1 to 32 (default 8)",
      "GENESYS_REQUESTS_PER_MINUTE: 300 is out of range; use a whole number from 1 to 299 (default 270); Genesys Cloud allows 300 requests per minute per token",
      "ISOLATION_MODE: \"strict\" is not an isolation mode; use one of verify, search-only, fail-closed (default verify)",
      "LOG_LEVEL: \"verbose\" is not a log level; use one of fatal, error, warn, info, debug, trace, silent (default info)",
    ]);
    for (const line of problems) expect(line).not.toContain("\n");
  });

  it("requires a region unless a gateway is set, even when other variables also fail", () => {
    expect(problemsOf({ GENESYS_CLIENT_ID: "c", GENESYS_CLIENT_SECRET: "s" })).toEqual([
      expect.stringMatching(/^GENESYS_REGION: is required unless GENESYS_GATEWAY_URL is set; use one of us-east-1, /),
    ]);
    expect(problemsOf({ GENESYS_CONCURRENCY: "0" }).map((line) => line.split(":")[0])).toEqual([
      "GENESYS_CLIENT_ID",
      "GENESYS_CLIENT_SECRET",
      "GENESYS_CONCURRENCY",
      "GENESYS_REGION",
    ]);
  });

  it("does not add 'region required' when the gateway is set but invalid", () => {
    const problems = problemsOf({ GENESYS_CLIENT_ID: "c", GENESYS_CLIENT_SECRET: "s", GENESYS_GATEWAY_URL: "nope" });
    expect(problems.map((line) => line.split(":")[0])).toEqual(["GENESYS_GATEWAY_URL"]);
  });

  it.each<[string, string, string]>([
    ["GENESYS_CONCURRENCY", "33", "33 is out of range; use a whole number from 1 to 32"],
    ["GENESYS_CONCURRENCY", "1.5", "\"1.5\" is not a whole number"],
    ["GENESYS_CONCURRENCY", "8 threads", "\"8 threads\" is not a whole number"],
    ["GENESYS_REQUESTS_PER_MINUTE", "0", "0 is out of range"],
    ["GENESYS_MAX_RETRIES", "-1", "-1 is out of range; use a whole number from 0 to 10"],
    ["DIVISION_CACHE_MAX_ENTRIES", "0", "0 is out of range; use a whole number from 1 to"],
    ["GENESYS_REQUEST_TIMEOUT_MS", "1e4", "\"1e4\" is not a whole number"],
  ])("rejects %s=%j", (name, value, expected) => {
    expect(problemsOf({ ...minimal, [name]: value })).toEqual([expect.stringContaining(`${name}: ${expected}`)]);
  });

  it("rejects a per-request timeout longer than the whole fetch's deadline", () => {
    expect(problemsOf({ ...minimal, GENESYS_REQUEST_TIMEOUT_MS: "30000", GENESYS_FETCH_DEADLINE_MS: "20000" })).toEqual([
      "GENESYS_REQUEST_TIMEOUT_MS: 30000 exceeds GENESYS_FETCH_DEADLINE_MS (20000); one request must fit in the whole fetch's deadline",
    ]);
  });

  it("bounds echoed values and never echoes secrets", () => {
    const [line] = problemsOf({ ...minimal, GENESYS_REGION: "x".repeat(500) });
    expect(line?.length).toBeLessThan(500);
    const problems = problemsOf({ GENESYS_CLIENT_SECRET: SECRET, GENESYS_REGION: "bad" });
    expect(problems.join("\n")).not.toContain(SECRET);
  });

  it("is an AppError with code config_error whose text stays out of HTTP responses", () => {
    let caught: unknown;
    try {
      parseEnv({});
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    const response = toErrorResponse(caught);
    expect(response.status).toBe(500);
    expect(response.body.error.code).toBe("config_error");
    expect(JSON.stringify(response)).not.toContain("GENESYS_");
  });
});

describe("describeEnvForLog and accidental logging", () => {
  it("summarises the config with the secret redacted", () => {
    const env = parseEnv({ ...minimal, GENESYS_GATEWAY_URL: "http://127.0.0.1:4010" });
    const summary = describeEnvForLog(env);
    expect(summary.genesys).toEqual({
      clientId: "client-1",
      clientSecret: "[set]",
      region: "us-east-1",
      gateway: "http://127.0.0.1:4010",
      loginBaseUrl: "http://127.0.0.1:4010",
      apiBaseUrl: "http://127.0.0.1:4010",
    });
    expect(summary.fetch.requestsPerMinute).toBe(270);
    expect(JSON.stringify(summary)).not.toContain(SECRET);
  });

  it("JSON.stringify and util.inspect of the whole config print the redacted view", () => {
    const env = parseEnv(minimal);
    expect(JSON.stringify(env)).not.toContain(SECRET);
    expect(JSON.parse(JSON.stringify(env))).toEqual(describeEnvForLog(env));
    expect(util.inspect(env, { depth: Infinity })).not.toContain(SECRET);
    // The value itself is still there for the client module.
    expect(env.genesys.clientSecret).toBe(SECRET);
  });
});

describe("getEnv", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("parses process.env once and memoises the result", () => {
    vi.stubEnv("GENESYS_CLIENT_ID", "from-process");
    vi.stubEnv("GENESYS_CLIENT_SECRET", SECRET);
    vi.stubEnv("GENESYS_REGION", "eu-west-1");
    vi.stubEnv("GENESYS_CONCURRENCY", "4");
    const first = getEnv();
    expect(first.genesys.clientId).toBe("from-process");
    expect(first.genesys.region.key).toBe("eu-west-1");
    expect(first.fetch.concurrency).toBe(4);

    vi.stubEnv("GENESYS_CONCURRENCY", "16");
    expect(getEnv()).toBe(first);
  });
});
