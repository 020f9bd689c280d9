import * as z from "zod/mini";

import { AUDIT_ACTIONS, AUDIT_ACTOR_ROLES, AUDIT_OUTCOMES } from "./audit-labels";

// The audit trail's bodies, GET /api/audit and GET /api/audit/integrity. What is recorded (actions, outcomes)
// and how the UI names it are plain lists in ./audit-labels; the server's recorder, store and filter parser
// use them too.

const count = z.int().check(z.nonnegative());

export const auditActionSchema = z.enum(AUDIT_ACTIONS);
export const auditOutcomeSchema = z.enum(AUDIT_OUTCOMES);
export const auditActorRoleSchema = z.enum(AUDIT_ACTOR_ROLES);

export const auditActorSchema = z.strictObject({ id: z.string().check(z.minLength(1)), email: z.string(), name: z.optional(z.string()), role: auditActorRoleSchema });

export const auditIsolationSchema = z.strictObject({ checked: count, verified: count, dropped: count, countMatches: z.boolean(), consistent: z.boolean() });

export const auditEventSchema = z.strictObject({
  id: z.int().check(z.positive()),
  /** ISO 8601, UTC. */
  at: z.iso.datetime(),
  action: auditActionSchema,
  outcome: auditOutcomeSchema,
  code: z.optional(z.string()),
  /** null: the caller was signed out. */
  actor: z.nullable(auditActorSchema),
  divisionId: z.optional(z.string()),
  divisionName: z.optional(z.string()),
  rows: z.optional(count),
  isolation: z.optional(auditIsolationSchema),
  requestId: z.optional(z.string()),
  /** Whom the event is about: the person an access explanation was asked for. */
  subjectId: z.optional(z.string()),
  subjectName: z.optional(z.string()),
});

export const auditPageSchema = z.strictObject({
  events: z.array(auditEventSchema),
  /** `before` for the next, older page; null on the last. */
  nextBefore: z.nullable(z.int().check(z.positive())),
});

export const auditIntegritySchema = z.strictObject({
  ok: z.boolean(),
  checked: count,
  /** The id of the first event whose hash or link does not match. */
  brokenAt: z.optional(z.int().check(z.positive())),
});

/** The audit trail's filters as given in the URL (the /audit form refills itself from them). */
export const auditFilterValuesSchema = z.strictObject({
  person: z.string(),
  division: z.string(),
  action: z.string(),
  outcome: z.string(),
  from: z.string(),
  to: z.string(),
});

export type AuditActor = z.infer<typeof auditActorSchema>;
export type AuditIsolation = z.infer<typeof auditIsolationSchema>;
export type AuditEventDto = z.infer<typeof auditEventSchema>;
export type AuditPageDto = z.infer<typeof auditPageSchema>;
export type AuditIntegrity = z.infer<typeof auditIntegritySchema>;
export type AuditFilterValues = z.infer<typeof auditFilterValuesSchema>;
