import * as z from "zod/mini";

import { isolationModeSchema } from "./users";

// GET /api/diagnostics (admins) and POST /api/diagnostics/divisions/{id}/test.

const count = z.int().check(z.nonnegative());

export const checkFailureSchema = z.strictObject({
  /** The app's error code, or "skipped" for a check that could not run. */
  code: z.string().check(z.minLength(1)),
  message: z.string(),
  genesysCode: z.optional(z.string()),
  correlationId: z.optional(z.string()),
  upstreamStatus: z.optional(z.int()),
  fix: z.array(z.string()),
});

/** One live check: a failed one may still carry what it found (the grants without role names, say). */
export function checkSchema<V extends z.ZodMiniType>(value: V) {
  return z.strictObject({ ok: z.boolean(), value: z.optional(value), failure: z.optional(checkFailureSchema) });
}

export const divisionRowSchema = z.strictObject({
  id: z.string().check(z.minLength(1)),
  name: z.string(),
  userCount: z.nullable(count),
  /** The BFF client holds directory:user:view here (Genesys' divisionspermitted answer). */
  hasDirectoryUserView: z.boolean(),
  /** Names of the client's roles granted in this division. */
  roles: z.array(z.string()),
  fix: z.optional(z.array(z.string())),
  /** For a division without the permission: the correlation id of Genesys' answer that showed it. */
  correlationId: z.optional(z.string()),
});

export const grantRowSchema = z.strictObject({
  roleId: z.string(),
  roleName: z.string(),
  /** "*" for a grant in every division. */
  divisionId: z.string(),
  divisionName: z.string(),
  permissions: z.array(z.string()),
});

/** One probe of a Genesys behaviour the documentation leaves open (lib/server/genesys/capabilities.ts). */
export const capabilityReportSchema = z.strictObject({
  /** e.g. "sortById" */
  key: z.string().check(z.minLength(1)),
  /** The org's answer, e.g. "ok", "ignore", true, or "unknown" when the org could not tell. */
  value: z.union([z.string().check(z.minLength(1)), z.boolean()]),
  /** One sentence each: what was tested, what Genesys answered, what Tenantscope does about it. */
  tested: z.string(),
  answered: z.string(),
  action: z.string(),
  /** Genesys calls the probe made. */
  calls: count,
});

/** A permission the access explorer needs of Tenantscope's client (authorization:grant:view, authorization:role:view). */
export const accessPermissionRowSchema = z.strictObject({ permission: z.string(), purpose: z.string(), held: z.boolean() });

export const diagnosticsSchema = z.strictObject({
  ranAt: z.iso.datetime(),
  config: z.strictObject({
    region: z.string(),
    loginHost: z.string(),
    apiHost: z.string(),
    gateway: z.boolean(),
    clientIdPresent: z.boolean(),
    clientIdHint: z.string(),
    isolationMode: isolationModeSchema,
  }),
  token: checkSchema(z.strictObject({ obtained: z.literal(true) })),
  tokenInfo: checkSchema(z.strictObject({ organization: z.string(), clientName: z.string(), grantType: z.string() })),
  grants: checkSchema(z.array(grantRowSchema)),
  divisions: checkSchema(z.array(divisionRowSchema)),
  /** Absent when no token could be obtained (nothing could be probed). */
  capabilities: z.optional(checkSchema(z.array(capabilityReportSchema))),
  /** Absent when no token could be obtained. */
  accessExplorer: z.optional(checkSchema(z.array(accessPermissionRowSchema))),
});

export const divisionTestSchema = z.strictObject({
  ok: z.boolean(),
  divisionId: z.string().check(z.minLength(1)),
  divisionName: z.optional(z.string()),
  users: z.optional(count),
  searchPages: z.optional(count),
  upstreamCalls: z.optional(count),
  durationMs: z.optional(z.number().check(z.nonnegative())),
  isolation: z.optional(z.strictObject({ verified: count, dropped: count, objectCount: z.nullable(count), countMatches: z.boolean() })),
  failure: z.optional(checkFailureSchema),
});

export type CheckFailure = z.infer<typeof checkFailureSchema>;
/** The shape of `checkSchema(value)` for a value of type T. */
export type Check<T> = z.infer<ReturnType<typeof checkSchema<z.ZodMiniType<T>>>>;
export type DivisionRow = z.infer<typeof divisionRowSchema>;
export type GrantRow = z.infer<typeof grantRowSchema>;
export type CapabilityReportRow = z.infer<typeof capabilityReportSchema>;
export type AccessPermissionRow = z.infer<typeof accessPermissionRowSchema>;
export type Diagnostics = z.infer<typeof diagnosticsSchema>;
export type DivisionTest = z.infer<typeof divisionTestSchema>;
