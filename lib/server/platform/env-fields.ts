import "server-only";
import { inspect } from "node:util";

import { z } from "zod";

import { blankToUndefined, parseSettings, rawText, shown } from "@/lib/config/fields.mjs";

import { AppError } from "./errors";
import { describeRegionChoices, resolveRegion, type Region } from "./regions";

// What both settings sections (env.ts, auth-env.ts) are built from: the app's own field schemas (the generic
// ones are in lib/config/fields.mjs, shared with the HTTP server) and the parse step they share.

export type EnvSource = Record<string, string | undefined>;

/** Thrown by parseEnv and parseAuthEnv: `message` has one line per problem, `VARIABLE: what is wrong; what to use`. */
export class ConfigError extends AppError {
  override readonly name = "ConfigError";
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super("config_error", problems.join("\n"));
    this.problems = Object.freeze([...problems]);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Parses `source` into a deeply frozen config, or throws ConfigError listing every problem. Defence in depth:
 * logging the whole object (`log.info({ env })`) prints `redacted(config)`, never a secret. Pure.
 */
export function parseFrozen<S extends z.ZodType<object>>(schema: S, source: EnvSource, redacted: (config: z.output<S>) => unknown): z.output<S> {
  const result = parseSettings(schema, source);
  if (!result.ok) throw new ConfigError(result.problems);
  const config = result.value;
  Object.defineProperties(config, {
    toJSON: { value: () => redacted(config) },
    [inspect.custom]: { value: () => redacted(config) },
  });
  return deepFreeze(config);
}

export const region = rawText.transform((value, ctx): Region | undefined => {
  const text = blankToUndefined(value);
  if (text === undefined) return undefined;
  const resolved = resolveRegion(text);
  if (!resolved) {
    ctx.addIssue({ code: "custom", message: `${shown(text)} is not a Genesys Cloud region; ${describeRegionChoices()}` });
    return z.NEVER;
  }
  return resolved;
});

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

const GATEWAY_EXAMPLE = "use an absolute http(s) URL such as http://127.0.0.1:4010 or https://gateway.example.com/genesys";

// The value is not echoed: a malformed URL may still hold credentials.
export const gatewayUrl = rawText.transform((value, ctx): GatewayConfig | undefined => {
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

export const metricsBearerToken = rawText.transform((value, ctx) => {
  const text = blankToUndefined(value);
  if (text !== undefined && text.length < 16) {
    ctx.addIssue({ code: "custom", message: "must be at least 16 characters (or unset to disable /api/metrics)" });
    return z.NEVER;
  }
  return text;
});

/**
 * A service URL with one of `protocols` and a host, or undefined when unset. Not echoed in the message: such a
 * URL may carry a password.
 */
function serviceUrl(protocols: readonly string[], hint: string) {
  return rawText.transform((value, ctx) => {
    const text = blankToUndefined(value);
    if (text === undefined) return undefined;
    let url: URL | undefined;
    try {
      url = new URL(text);
    } catch {
      url = undefined;
    }
    if (!url || !protocols.includes(url.protocol) || url.hostname === "") {
      ctx.addIssue({ code: "custom", message: hint });
      return z.NEVER;
    }
    return text;
  });
}

export const redisUrl = serviceUrl(["redis:", "rediss:"], "must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379/0 (or unset for in-process state)");

export const redisKeyPrefix = rawText.transform((value, ctx) => {
  const text = blankToUndefined(value) ?? "tenantscope:";
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(text)) {
    ctx.addIssue({ code: "custom", message: `${shown(text)} is not a key prefix; use up to 64 letters, digits and : _ . - (default tenantscope:)` });
    return z.NEVER;
  }
  return text;
});

export const postgresUrl = serviceUrl(
  ["postgres:", "postgresql:"],
  "must be a postgres:// URL such as postgres://tenantscope:secret@db.example:5432/tenantscope (or unset for the embedded SQLite trail)",
);

/** A URL without its password (logged at start-up). */
export function redactUrl(text: string): string {
  const url = new URL(text);
  if (url.password !== "") url.password = "[redacted]";
  return url.toString();
}
