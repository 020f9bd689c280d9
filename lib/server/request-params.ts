import "server-only";

import { AppError } from "./errors";

/** Query strings are a contract too: parameters a route does not know are refused, not ignored. */
export function allowOnlyParams(req: Request, allowed: readonly string[]): URLSearchParams {
  const params = new URL(req.url).searchParams;
  for (const key of params.keys()) {
    if (!allowed.includes(key)) throw new AppError("bad_request", `Unknown query parameter "${key.slice(0, 40)}".`, { details: { field: key.slice(0, 40) } });
  }
  return params;
}
