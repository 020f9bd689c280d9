import "server-only";

import { AppError } from "./errors";

/**
 * Query strings are a contract too: parameters a route does not know are refused, not ignored, and so is
 * percent-encoding that is not UTF-8 (`?q=%FF`), which URLSearchParams would silently turn into U+FFFD.
 */
export function allowOnlyParams(req: Request, allowed: readonly string[]): URLSearchParams {
  const url = new URL(req.url);
  if (!isUtf8PercentEncoding(url.search)) {
    throw new AppError("bad_request", "The query string is not valid percent-encoded UTF-8.", { details: { field: "query" } });
  }
  const params = url.searchParams;
  for (const key of params.keys()) {
    if (!allowed.includes(key)) throw new AppError("bad_request", `Unknown query parameter "${key.slice(0, 40)}".`, { details: { field: key.slice(0, 40) } });
  }
  return params;
}

function isUtf8PercentEncoding(search: string): boolean {
  try {
    decodeURIComponent(search);
    return true;
  } catch {
    return false;
  }
}
