// @ts-check
// The settings parser shared by the app (lib/server/platform/env.ts) and the HTTP server (server/settings.mjs).
// Plain JavaScript without "server-only" because `node server/index.mjs` loads it with no TypeScript loader and
// no bundler; JSDoc gives TypeScript callers the same types.
import { z } from "zod";

// Each field takes the raw string (or undefined) and yields a typed value. Blank counts as unset, since `.env`
// files and orchestrators often export `NAME=` for "no value".

export const rawText = z.string({ error: "must be a string" }).optional();

/** @param {string} value */
export function shown(value) {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}

/**
 * @param {string | undefined} value
 * @returns {string | undefined}
 */
export function blankToUndefined(value) {
  const trimmed = value?.trim();
  return trimmed === "" ? undefined : trimmed;
}

/**
 * Secrets and ids share this; the message never echoes the value.
 * @param {string} purpose
 */
export function requiredText(purpose) {
  return rawText.transform((value, ctx) => {
    const text = blankToUndefined(value);
    if (text === undefined) {
      ctx.addIssue({ code: "custom", message: `is required (${purpose})` });
      return z.NEVER;
    }
    return text;
  });
}

/** @param {{ min: number, max: number, default: number, why?: string }} options */
export function integer(options) {
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

/**
 * Case-insensitive choice among `choices`.
 * @template {readonly string[]} T
 * @param {T} choices
 * @param {string} what
 * @param {T[number]} fallback
 */
export function oneOf(choices, what, fallback) {
  return rawText.transform(
    /** @returns {T[number]} */
    (value, ctx) => {
      const text = blankToUndefined(value)?.toLowerCase();
      if (text === undefined) return fallback;
      const match = choices.find((choice) => choice === text);
      if (match === undefined) {
        ctx.addIssue({ code: "custom", message: `${shown(text)} is not ${what}; use one of ${choices.join(", ")} (default ${fallback})` });
        return z.NEVER;
      }
      return match;
    },
  );
}

export const LOG_LEVELS = /** @type {const} */ (["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

/** LOG_LEVEL, which the app's logger and the HTTP server's both read. */
export const logLevel = oneOf(LOG_LEVELS, "a log level", "info");

/**
 * Parses a variable map with `schema`: the typed value, or one line per problem
 * (`VARIABLE: what is wrong; what to use`), every problem at once.
 * @template {z.ZodType} S
 * @param {S} schema
 * @param {Record<string, string | undefined>} source
 * @returns {{ ok: true, value: z.output<S> } | { ok: false, problems: string[] }}
 */
export function parseSettings(schema, source) {
  const result = schema.safeParse(source);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: result.error.issues.map((issue) => `${issue.path.map(String).join(".") || "environment"}: ${issue.message}`) };
}
