// The BFF's bodies as the HTTP tests read them: every JSON body goes through its contract schema
// (lib/shared/contract), so a field the server renames, drops or adds fails the test that received it, with
// zod's account of what differs.
import * as z from "zod/mini";

import { errorBodySchema, usersStreamLineSchema, type ApiErrorBody, type UsersStreamLine } from "@/lib/shared/contract";

/** `text` parsed as JSON and checked against `schema`; throws (failing the test) with the issues otherwise. */
export function parseBody<S extends z.ZodMiniType>(schema: S, text: string, what = "body"): z.output<S> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not JSON: ${text.slice(0, 200)}`);
  }
  const result = schema.safeParse(data);
  if (!result.success) throw new Error(`${what} does not match the contract:\n${z.prettifyError(result.error)}\n${text.slice(0, 300)}`);
  return result.data;
}

/** A Response's body, read and checked against `schema`. */
export async function readBody<S extends z.ZodMiniType>(schema: S, res: Response, what = res.url): Promise<z.output<S>> {
  return parseBody(schema, await res.text(), what);
}

/** The `error` of an error body `{ error: { code, message, ... } }`, checked against the contract. */
export function errorOf(text: string, what = "error body"): ApiErrorBody {
  return parseBody(errorBodySchema, text, what).error;
}

/** The NDJSON users stream, each line checked against the contract's line schemas. */
export function parseUsersStream(text: string): UsersStreamLine[] {
  if (text !== "" && !text.endsWith("\n")) throw new Error("NDJSON: body does not end with a newline");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line, i) => parseBody(usersStreamLineSchema, line, `NDJSON line ${i + 1}`));
}
