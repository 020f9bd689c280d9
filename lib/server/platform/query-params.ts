import "server-only";

import { AppError } from "./errors";

/**
 * Query strings are a contract too: parameters a route does not know are refused, not ignored, and so is
 * percent-encoding that is not UTF-8 (`?q=%FF`). Next decodes the query leniently before a route sees it,
 * so such bytes arrive as U+FFFD, which no real parameter contains.
 */
export function allowOnlyParams(req: Request, allowed: readonly string[]): URLSearchParams {
  return checkParams(new URL(req.url).searchParams, allowed);
}

/** As allowOnlyParams, for parameters that arrive as such (a page's searchParams). */
export function checkParams(params: URLSearchParams, allowed: readonly string[]): URLSearchParams {
  for (const [key, value] of params) {
    if (key.includes("\uFFFD") || value.includes("\uFFFD")) {
      throw new AppError("bad_request", "The query string is not valid percent-encoded UTF-8.", { details: { field: "query" } });
    }
    if (!allowed.includes(key)) throw new AppError("bad_request", `Unknown query parameter "${key.slice(0, 40)}".`, { details: { field: key.slice(0, 40) } });
  }
  return params;
}
