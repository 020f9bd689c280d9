import "server-only";
import { z } from "zod";

import { blankToUndefined, integer, rawText, requiredText, shown } from "@/lib/config/fields.mjs";

import { parseFrozen, type EnvSource } from "./env-fields";

// Staff sign-in settings: the web app only (the export CLI does not need these), so apart from env.ts's.

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
  /** How long a session lasts from sign-in, however often its cookie is re-issued. */
  sessionMaxAgeSeconds: number;
  /** SQLite file of signed-out sessions, so that a sign-out survives a restart (":memory:": it does not). */
  sessionDbPath: string;
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
    SESSION_DB_PATH: rawText.transform((value) => blankToUndefined(value) ?? "data/sessions.sqlite"),
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
      sessionDbPath: raw.SESSION_DB_PATH,
      appUrl: raw.NEXTAUTH_URL,
      secureCookies: raw.NEXTAUTH_URL?.startsWith("https://") ?? false,
    }),
  );

/** Every variable this section reads (deployment files are checked against it: test/deploy/). */
export const AUTH_ENV_VARIABLES: readonly string[] = Object.freeze(Object.keys(authSchema.in.shape));

/** Parses the staff sign-in variables, or throws ConfigError listing every problem. Pure. */
export function parseAuthEnv(source: EnvSource): AuthEnv {
  return parseFrozen(authSchema, source, (env) => ({ ...env, nextAuthSecret: "[set]", staffClientSecret: "[set]" }));
}

let cachedAuth: AuthEnv | undefined;

export function getAuthEnv(): AuthEnv {
  cachedAuth ??= parseAuthEnv(process.env);
  return cachedAuth;
}
