import * as z from "zod/mini";

// GET /api/divisions, GET /api/divisions/{id} and GET /api/me.

const count = z.int().check(z.nonnegative());

export const STAFF_ROLES = ["admin", "manager"] as const;
export const staffRoleSchema = z.enum(STAFF_ROLES);

/** GET /api/me: the signed-in person, for the header of a page that is not rendered per person (the division shell). */
export const currentStaffSchema = z.strictObject({ name: z.string(), email: z.string(), role: staffRoleSchema });

export const divisionInfoSchema = z.strictObject({
  id: z.string().check(z.minLength(1)),
  name: z.string(),
  description: z.string(),
  /** Genesys' objectCounts.USER; null when it gave none. */
  userCount: z.nullable(count),
});

export const divisionSummarySchema = z.strictObject({
  ...divisionInfoSchema.shape,
  /** False: the BFF's own client cannot read this division (a problem for an admin to fix, not a hidden row). */
  reachable: z.boolean(),
});

export const divisionsListSchema = z.strictObject({ divisions: z.array(divisionSummarySchema) });

export const divisionDetailSchema = z.strictObject({
  division: divisionInfoSchema,
  // A refusal is an error body, so a 200 always means the caller may view it.
  access: z.strictObject({ canView: z.literal(true), role: staffRoleSchema }),
});

export type StaffRole = z.infer<typeof staffRoleSchema>;
export type CurrentStaff = z.infer<typeof currentStaffSchema>;
export type DivisionInfo = z.infer<typeof divisionInfoSchema>;
export type DivisionSummary = z.infer<typeof divisionSummarySchema>;
export type DivisionsList = z.infer<typeof divisionsListSchema>;
export type DivisionDetail = z.infer<typeof divisionDetailSchema>;
