import type * as z from "zod/mini";

import type { ApiErrorBody } from "@/lib/shared/contract";

import { loadContract, type ContractModule } from "./contract";

// The browser's only way to the BFF: same-origin fetches whose bodies are parsed with the contract's
// schemas, never cast; the error model and any unreadable body both become an ApiError.

export type { ApiErrorBody };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
  get code(): string {
    return this.body.code;
  }
}

/** A body that is not what the contract says: the page cannot trust any of it. */
export function unreadableResponse(issues?: z.core.$ZodIssue[]): ApiError {
  return new ApiError(502, {
    code: "upstream_bad_response",
    message: "The server sent a response the page could not read.",
    // For whoever opens the console; the page shows only the message.
    ...(issues ? { issues: issues.slice(0, 5).map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`) } : {}),
  });
}

/** `data` checked against `schema`; an ApiError (502) when it does not fit. */
export function parseBody<S extends z.ZodMiniType>(schema: S, data: unknown): z.output<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw unreadableResponse(result.error.issues);
  return result.data;
}

async function jsonOf(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return undefined;
  }
}

/** The ApiError of a failed response: its error body, or (say, a proxy's HTML page) one made from the status. */
export async function readError(res: Response): Promise<ApiError> {
  const data = await jsonOf(res);
  // Without the schemas (their load failed) the status still says what happened.
  const parsed = await loadContract().then(
    ({ errorBodySchema }) => errorBodySchema.safeParse(data),
    () => null,
  );
  if (parsed?.success) return new ApiError(res.status, parsed.data.error);
  return new ApiError(res.status, { code: res.status === 401 ? "unauthenticated" : "internal", message: `Request failed (${res.status}).` });
}

/** GET (or `init`'s method) `path`, its body checked against the schema `pick` chooses from the contract. */
export async function getJson<S extends z.ZodMiniType>(path: string, pick: (contract: ContractModule) => S, init: RequestInit = {}): Promise<z.output<S>> {
  // The schemas load while the request is under way, not after it.
  const contract = loadContract();
  const res = await fetch(path, { ...init, headers: { Accept: "application/json", ...init.headers }, credentials: "same-origin" });
  if (!res.ok) throw await readError(res);
  const schema = pick(await contract);
  let data: unknown;
  try {
    data = await res.json();
  } catch {
    throw unreadableResponse();
  }
  return parseBody(schema, data);
}
