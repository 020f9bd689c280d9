import * as z from "zod/mini";

// The audit trail: what is recorded (actions, outcomes), how the UI names it, and GET /api/audit and
// GET /api/audit/integrity. The server's recorder, store and filter parser use these lists too.

const count = z.int().check(z.nonnegative());

export const AUDIT_ACTIONS = [
  "division.view",
  "division.export",
  "diagnostics.run",
  "diagnostics.test-division",
  "audit.view",
  "audit.export",
  "audit.verify",
  "access.search",
  "access.person",
  "access.explain",
  "access.division",
  "access.export",
] as const;
export const AUDIT_OUTCOMES = ["ok", "denied", "error"] as const;
/** `operator` is someone running the export CLI with the BFF's own credentials. */
export const AUDIT_ACTOR_ROLES = ["admin", "manager", "operator"] as const;

export const auditActionSchema = z.enum(AUDIT_ACTIONS);
export const auditOutcomeSchema = z.enum(AUDIT_OUTCOMES);
export const auditActorRoleSchema = z.enum(AUDIT_ACTOR_ROLES);

export type AuditAction = z.infer<typeof auditActionSchema>;
export type AuditOutcome = z.infer<typeof auditOutcomeSchema>;
export type AuditActorRole = z.infer<typeof auditActorRoleSchema>;

export const AUDIT_ACTION_LABELS: Readonly<Record<AuditAction, string>> = {
  "division.view": "Viewed division",
  "division.export": "Exported CSV",
  "diagnostics.run": "Ran diagnostics",
  "diagnostics.test-division": "Tested a division",
  "audit.view": "Read audit trail",
  "audit.export": "Exported audit trail",
  "audit.verify": "Checked audit integrity",
  "access.search": "Searched people (access)",
  "access.person": "Explained a person's access",
  "access.explain": "Explained access to a division",
  "access.division": "Listed who can see a division",
  "access.export": "Exported an access review",
};

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
