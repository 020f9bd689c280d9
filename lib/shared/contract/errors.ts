import * as z from "zod/mini";

// The BFF's error model, `{ error: { code, message, ...details } }`, as every route, the proxy and the
// custom server send it. `code` stays an open string: the custom server and the proxy answer with codes
// (e.g. "overloaded") that the route error model does not know.

export const apiErrorSchema = z.catchall(
  z.object({
    code: z.string().check(z.minLength(1)),
    message: z.string(),
    // The details the server knows of are typed; any other detail passes through.
    divisionId: z.optional(z.string()),
    divisionName: z.optional(z.string()),
    permission: z.optional(z.string()),
    scope: z.optional(z.string()),
    correlationId: z.optional(z.string()),
    genesysCode: z.optional(z.string()),
    upstreamStatus: z.optional(z.int()),
    retryAfterSeconds: z.optional(z.number().check(z.nonnegative())),
    field: z.optional(z.string()),
    reason: z.optional(z.string()),
  }),
  z.unknown(),
);

export const errorBodySchema = z.strictObject({ error: apiErrorSchema });

export type ApiErrorBody = z.infer<typeof apiErrorSchema>;
export type ErrorBody = z.infer<typeof errorBodySchema>;
