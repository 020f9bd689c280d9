import { z } from "zod";

import { isolationModeSchema } from "./users";

// GET /api/diagnostics (admins) and POST /api/diagnostics/divisions/{id}/test.

const count = z.number().int().nonnegative();

export const checkFailureSchema = z.strictObject({
  /** The app's error code, or "skipped" for a check that could not run. */
  code: z.string().min(1),
  message: z.string(),
  genesysCode: z.string().optional(),
  correlationId: z.string().optional(),
  upstreamStatus: z.number().int().optional(),
  fix: z.array(z.string()),
});

/** One live check: a failed one may still carry what it found (the grants without role names, say). */
export function checkSchema<V extends z.ZodType>(value: V) {
  return z.strictObject({ ok: z.boolean(), value: value.optional(), failure: checkFailureSchema.optional() });
}

export const divisionRowSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string(),
  userCount: count.nullable(),
  /** The BFF client holds directory:user:view here (Genesys' divisionspermitted answer). */
  hasDirectoryUserView: z.boolean(),
  /** Names of the client's roles granted in this division. */
  roles: z.array(z.string()),
  fix: z.array(z.string()).optional(),
  /** For a division without the permission: the correlation id of Genesys' answer that showed it. */
  correlationId: z.string().optional(),
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
  key: z.string().min(1),
  /** The org's answer, e.g. "ok", "ignore", true, or "unknown" when the org could not tell. */
  value: z.union([z.string().min(1), z.boolean()]),
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
  capabilities: checkSchema(z.array(capabilityReportSchema)).optional(),
  /** Absent when no token could be obtained. */
  accessExplorer: checkSchema(z.array(accessPermissionRowSchema)).optional(),
});

export const divisionTestSchema = z.strictObject({
  ok: z.boolean(),
  divisionId: z.string().min(1),
  divisionName: z.string().optional(),
  users: count.optional(),
  searchPages: count.optional(),
  upstreamCalls: count.optional(),
  durationMs: z.number().nonnegative().optional(),
  isolation: z.strictObject({ verified: count, dropped: count, objectCount: count.nullable(), countMatches: z.boolean() }).optional(),
  failure: checkFailureSchema.optional(),
});

export type CheckFailure = z.infer<typeof checkFailureSchema>;
/** The shape of `checkSchema(value)` for a value of type T. */
export type Check<T> = z.infer<ReturnType<typeof checkSchema<z.ZodType<T>>>>;
export type DivisionRow = z.infer<typeof divisionRowSchema>;
export type GrantRow = z.infer<typeof grantRowSchema>;
export type CapabilityReportRow = z.infer<typeof capabilityReportSchema>;
export type AccessPermissionRow = z.infer<typeof accessPermissionRowSchema>;
export type Diagnostics = z.infer<typeof diagnosticsSchema>;
export type DivisionTest = z.infer<typeof divisionTestSchema>;
