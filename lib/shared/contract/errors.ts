import { z } from "zod";

// The BFF's error model, `{ error: { code, message, ...details } }`, as every route, the proxy and the
// custom server send it. `code` stays an open string: the custom server and the proxy answer with codes
// (e.g. "overloaded") that the route error model does not know.

export const apiErrorSchema = z
  .object({
    code: z.string().min(1),
    message: z.string(),
    // The details the server knows of are typed; any other detail passes through.
    divisionId: z.string().optional(),
    divisionName: z.string().optional(),
    permission: z.string().optional(),
    scope: z.string().optional(),
    correlationId: z.string().optional(),
    genesysCode: z.string().optional(),
    upstreamStatus: z.number().int().optional(),
    retryAfterSeconds: z.number().nonnegative().optional(),
    field: z.string().optional(),
    reason: z.string().optional(),
  })
  .catchall(z.unknown());

export const errorBodySchema = z.strictObject({ error: apiErrorSchema });

export type ApiErrorBody = z.infer<typeof apiErrorSchema>;
export type ErrorBody = z.infer<typeof errorBodySchema>;
