import "server-only";

import { AppError, getAuthEnv } from "@/lib/server/platform";

// Cross-site request forgery: a page on another origin can make a signed-in person's browser send a request
// with their cookies. SameSite=Lax stops that for cross-site POSTs, but not from another origin of the same
// site (a sibling subdomain, another port). So every state-changing request (all of them are non-GET) must
// come from this app's own origin, as the browser itself states it: Sec-Fetch-Site, and Origin.

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** NEXTAUTH_URL's origin when configured (behind a proxy the request's own URL may be an internal one). */
function ownOrigin(req: Request): string {
  const configured = getAuthEnv().appUrl;
  return configured ? new URL(configured).origin : new URL(req.url).origin;
}

function crossOrigin(): AppError {
  return new AppError("forbidden", "This request came from another site or origin and was refused.", { details: { reason: "cross_origin" } });
}

/**
 * Refuses a non-GET request that a browser says comes from elsewhere. A request with neither header is not
 * from a browser (which always sends Origin on a POST), so no cookie was sent on anyone's behalf.
 */
export function assertSameOrigin(req: Request): void {
  if (SAFE_METHODS.has(req.method)) return;
  const site = req.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin") throw crossOrigin();
  const origin = req.headers.get("origin");
  if (origin !== null && origin !== ownOrigin(req)) throw crossOrigin();
}
