// What the audit trail records and how the UI names it: plain values, without zod, so that a page can show
// them before the contract's schemas have loaded (lib/client/contract.ts). The schemas are in ./audit.

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

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
export type AuditActorRole = (typeof AUDIT_ACTOR_ROLES)[number];

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
