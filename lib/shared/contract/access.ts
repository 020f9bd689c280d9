import * as z from "zod/mini";

// The access explorer (/access, admins only): GET /api/access/people?q=, /api/access/people/{userId},
// /api/access/people/{userId}/divisions/{divisionId} and /api/access/divisions/{divisionId} (+ viewers.csv).

const id = z.string().check(z.minLength(1));

export const accessPersonSchema = z.strictObject({ id, name: z.string(), email: z.string() });

export const accessPeopleSchema = z.strictObject({ people: z.array(accessPersonSchema) });

/** A role held by the person that grants directory:user:view in a division ("all": granted in every division). */
export const accessGrantSchema = z.strictObject({ roleId: id, roleName: z.string(), scope: z.enum(["division", "all"]) });

/**
 * Tenantscope's own client lacks a permission the explorer needs: what to add, instead of a failure.
 * `permission` is e.g. authorization:grant:view.
 */
export const accessBlockedSchema = z.strictObject({ permission: z.string(), message: z.string(), fix: z.array(z.string()), correlationId: z.optional(z.string()) });

/** What Tenantscope itself decides for this person, and when it next reads their grants. */
export const tenantscopeDecisionSchema = z.strictObject({
  isAdmin: z.boolean(),
  /** How they are an admin: TENANTSCOPE_ADMIN_EMAILS, TENANTSCOPE_ADMIN_USER_IDS or TENANTSCOPE_ADMIN_PERMISSION. */
  adminBy: z.array(z.enum(["email", "userId", "permission"])),
  refreshSeconds: z.int().check(z.positive()),
  /** When this instance last read their grants from Genesys (null: it holds none, and reads them at their next request). */
  lastReadAt: z.nullable(z.iso.datetime()),
  /** The first moment a request of theirs makes this instance read their grants again. */
  nextReadAfter: z.nullable(z.iso.datetime()),
  /** One sentence each, in order: how Tenantscope decides, and when it will re-read their grants. */
  sentences: z.array(z.string()),
});

export const accessDivisionRowSchema = z.strictObject({
  divisionId: id,
  divisionName: z.string(),
  canView: z.boolean(),
  /** The grants that give directory:user:view here (empty when canView is false). */
  via: z.array(accessGrantSchema),
  /** Tenantscope's own client may list this division's users (false: nobody sees it in Tenantscope). */
  readableByTenantscope: z.boolean(),
});

export const accessPersonDetailSchema = z.strictObject({
  person: accessPersonSchema,
  /** Every division of the org, those they may view first. Empty when `blocked`. */
  divisions: z.array(accessDivisionRowSchema),
  tenantscope: tenantscopeDecisionSchema,
  blocked: z.optional(accessBlockedSchema),
});

export const accessExplanationSchema = z.strictObject({
  person: accessPersonSchema,
  division: z.strictObject({ id, name: z.string() }),
  canView: z.boolean(),
  /** One sentence: "Ana Manager cannot view Globex Telecom: none of their roles grants Directory > User > View in Globex Telecom." */
  verdict: z.string(),
  /** The smallest change in Genesys terms; empty when they can already view it. */
  fix: z.array(z.string()),
  via: z.array(accessGrantSchema),
  tenantscope: tenantscopeDecisionSchema,
  blocked: z.optional(accessBlockedSchema),
});

export const accessViewerSchema = z.strictObject({
  subjectId: id,
  name: z.string(),
  email: z.optional(z.string()),
  /** Genesys' subject type: a person, a group (its members), an OAuth client, or another kind. */
  type: z.enum(["user", "group", "client", "other"]),
  roleId: id,
  roleName: z.string(),
  scope: z.enum(["division", "all"]),
});

export const accessAdminSchema = z.strictObject({
  /** The user id when known (configured by id, or found through the admin permission). */
  id: z.optional(z.string()),
  name: z.optional(z.string()),
  email: z.optional(z.string()),
  by: z.enum(["email", "userId", "permission"]),
});

export const accessDivisionViewersSchema = z.strictObject({
  division: z.strictObject({ id, name: z.string(), readableByTenantscope: z.boolean() }),
  /** One row per subject and granting role, sorted by name. */
  viewers: z.array(accessViewerSchema),
  /** Tenantscope admins by configuration: they see every division Tenantscope's client can read. */
  admins: z.array(accessAdminSchema),
  readAt: z.iso.datetime(),
  blocked: z.optional(accessBlockedSchema),
});

/** The part of next-auth's GET /api/auth/session the refused page reads: the person's own Genesys user id. */
export const sessionUserSchema = z.object({ user: z.object({ id: z.string().check(z.minLength(1)) }) });

export type AccessPerson = z.infer<typeof accessPersonSchema>;
export type AccessPeople = z.infer<typeof accessPeopleSchema>;
export type AccessGrant = z.infer<typeof accessGrantSchema>;
export type AccessBlocked = z.infer<typeof accessBlockedSchema>;
export type TenantscopeDecision = z.infer<typeof tenantscopeDecisionSchema>;
export type AccessDivisionRow = z.infer<typeof accessDivisionRowSchema>;
export type AccessPersonDetail = z.infer<typeof accessPersonDetailSchema>;
export type AccessExplanation = z.infer<typeof accessExplanationSchema>;
export type AccessViewer = z.infer<typeof accessViewerSchema>;
export type AccessAdmin = z.infer<typeof accessAdminSchema>;
export type AccessDivisionViewers = z.infer<typeof accessDivisionViewersSchema>;
