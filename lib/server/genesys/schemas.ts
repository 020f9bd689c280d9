import "server-only";
import { z } from "zod";

// The parts of Genesys response bodies we rely on, checked at the boundary: a truncated or unexpected
// body becomes a "malformed" upstream error (retried) instead of flowing on as `undefined` fields.
// Objects are not strict: Genesys adds fields over time.

/** A response whose body is not read (DELETE /api/v2/tokens/me documents none). */
export const noBodySchema = z.unknown();

export const divisionRefSchema = z.object({ id: z.string(), name: z.string().optional() });

export const apiUserSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  email: z.string().optional(),
  username: z.string().optional(),
  title: z.string().optional(),
  department: z.string().optional(),
  state: z.enum(["active", "inactive", "deleted"]).optional(),
  division: divisionRefSchema.optional(),
});
export type ApiUser = z.infer<typeof apiUserSchema>;

export const usersSearchResponseSchema = z.object({
  total: z.number().int().nonnegative(),
  pageCount: z.number().int().nonnegative(),
  pageSize: z.number().int().positive(),
  pageNumber: z.number().int().positive(),
  results: z.array(apiUserSchema).optional().default([]),
});
export type UsersSearchResponse = z.infer<typeof usersSearchResponseSchema>;

export const userListingSchema = z.object({
  entities: z.array(apiUserSchema).optional().default([]),
  total: z.number().int().nonnegative().optional(),
  pageCount: z.number().int().nonnegative().optional(),
});

export const authzDivisionSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  homeDivision: z.boolean().optional(),
  objectCounts: z.record(z.string(), z.number()).optional(),
});
export type AuthzDivision = z.infer<typeof authzDivisionSchema>;

export const divisionListingSchema = z.object({
  entities: z.array(authzDivisionSchema).optional().default([]),
  total: z.number().int().nonnegative().optional(),
  pageCount: z.number().int().nonnegative().optional(),
  pageNumber: z.number().int().optional(),
});

export const divisionsPermittedSchema = divisionListingSchema.extend({ allDivsPermitted: z.boolean().optional() });

export const tokenInfoSchema = z.object({
  organization: z.object({ id: z.string().optional(), name: z.string().optional() }).optional(),
  OAuthClient: z
    .object({
      id: z.string().optional(),
      name: z.string(),
      authorizedGrantType: z.string(),
      roleDivisions: z.array(z.object({ roleId: z.string(), divisionId: z.string() })).optional().default([]),
    })
    .optional(),
});
export type TokenInfo = z.infer<typeof tokenInfoSchema>;

export const oauthClientSchema = z.object({
  id: z.string().optional(),
  name: z.string(),
  authorizedGrantType: z.string(),
  accessTokenValiditySeconds: z.number().optional(),
  roleDivisions: z.array(z.object({ roleId: z.string(), divisionId: z.string() })).optional().default([]),
  state: z.string().optional(),
});

export const roleSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  permissions: z.array(z.string()).optional().default([]),
});
export type Role = z.infer<typeof roleSchema>;

export const organizationSchema = z.object({ id: z.string(), name: z.string(), domain: z.string().optional() });

// The access explorer (/access): a person's grants, the org's roles, and who holds a role where.

export const subjectSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  grants: z
    .array(
      z.object({
        /** "*" (or absent) may stand for every division (inferred: the spec does not say how such a grant is shown). */
        division: divisionRefSchema.optional(),
        role: z.object({ id: z.string(), name: z.string().optional() }),
      }),
    )
    .optional()
    .default([]),
});
export type Subject = z.infer<typeof subjectSchema>;

export const roleListingSchema = z.object({
  entities: z.array(roleSchema).optional().default([]),
  pageCount: z.number().int().nonnegative().optional(),
});

export const subjectGrantsSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  /** PC_USER, PC_GROUP, PC_OAUTH_CLIENT, … (the spec's enum; unknown values are kept). */
  type: z.string().optional(),
  divisions: z.array(divisionRefSchema).optional().default([]),
});
export type SubjectGrants = z.infer<typeof subjectGrantsSchema>;

export const subjectGrantsListingSchema = z.object({
  entities: z.array(subjectGrantsSchema).optional().default([]),
  pageCount: z.number().int().nonnegative().optional(),
});
