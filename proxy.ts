// Runs before every page and API request. Pages: security headers with a fresh CSP nonce, and signed-out
// visitors are sent to sign in with the full original path and query as the callback, so shared links
// survive sign-in. This is only a first line: the access check sits next to the data
// (lib/server/divisions/access-gate.ts), and API routes answer 401 themselves.
//
// One shortcut: a division page that the access gate lets this person open is answered with the prerendered
// shell (app/(shell)/division-shell), which holds no person's or division's data and fetches both from the
// API. Rendering the page per request cost ~9 ms of CPU in Next alone and capped it near a quarter of the
// API's throughput. Anything but a "yes" renders the page per request, which answers with its real status.
import { NextResponse, type NextRequest } from "next/server";
import { getToken } from "next-auth/jwt";

import { mayOpenDivisionPage } from "@/lib/server/auth/page-access";
import { decodeSessionToken } from "@/lib/server/auth/session-decode";
import { DIVISION_SHELL_PATH, divisionShellScriptHashes, scriptHash } from "@/lib/server/http/division-shell";
import { PRIVATE_NO_STORE } from "@/lib/server/http/responses";
import { API_CSP, contentSecurityPolicy, HSTS, prerenderedContentSecurityPolicy, STATIC_SECURITY_HEADERS } from "@/lib/server/http/security-headers";
import { getAuthEnv, getEnv } from "@/lib/server/platform/env";
import { divisionIdInPath, EARLY_USERS_SCRIPT } from "@/lib/shared/contract/users-wire";

const PUBLIC_PAGES = ["/signin"];

function withSecurityHeaders(res: NextResponse, csp: string, https: boolean): NextResponse {
  res.headers.set("Content-Security-Policy", csp);
  for (const [k, v] of Object.entries(STATIC_SECURITY_HEADERS)) res.headers.set(k, v);
  if (https) res.headers.set("Strict-Transport-Security", HSTS);
  return res;
}

function isUtf8PercentEncoding(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

export async function proxy(req: NextRequest): Promise<NextResponse> {
  const auth = getAuthEnv();
  const https = auth.secureCookies || req.nextUrl.protocol === "https:";
  const path = req.nextUrl.pathname;
  // Next answers a path whose percent-encoding is not UTF-8 (/api/divisions/%FF) with a bare 500 when it
  // decodes the route's params; it is the client's error. (Queries: see lib/server/platform/query-params.ts.)
  if (!isUtf8PercentEncoding(path)) {
    const body = { error: { code: "bad_request", message: "The URL path is not valid percent-encoded UTF-8." } };
    return withSecurityHeaders(NextResponse.json(body, { status: 400 }), API_CSP, https);
  }
  // One id per request, never taken from the client: logs of the request and of its Genesys calls carry it.
  const requestId = crypto.randomUUID();
  const headers = new Headers(req.headers);
  headers.set("x-request-id", requestId);
  if (path.startsWith("/api/")) return withRequestId(withSecurityHeaders(NextResponse.next({ request: { headers } }), API_CSP, https), requestId);

  if (path === DIVISION_SHELL_PATH) return withRequestId(withSecurityHeaders(new NextResponse("Not found", { status: 404 }), API_CSP, https), requestId);

  const dev = process.env.NODE_ENV === "development";
  const policyOptions = { dev, loginOrigin: new URL(getEnv().genesys.loginBaseUrl).origin };
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const csp = contentSecurityPolicy(nonce, policyOptions);
  // Next reads the nonce from the request's CSP header and puts it on the scripts it renders.
  headers.set("x-nonce", nonce);
  headers.set("Content-Security-Policy", csp);
  // Lets a page that finds the session dead send the person back here after signing in again.
  headers.set("x-request-path", `${path}${req.nextUrl.search}`);
  if (!PUBLIC_PAGES.includes(path)) {
    const token = await getToken({ req, secret: auth.nextAuthSecret, secureCookie: auth.secureCookies, decode: decodeSessionToken });
    if (!token?.genesys) {
      const signIn = new URL("/signin", req.nextUrl.origin);
      signIn.searchParams.set("callbackUrl", `${path}${req.nextUrl.search}`);
      return withRequestId(withSecurityHeaders(NextResponse.redirect(signIn), csp, https), requestId);
    }
    const divisionId = divisionIdInPath(path);
    // `next dev` renders the shell per request (it takes the nonce like any page), and writes its build to
    // .next/dev: a prerendered shell under .next/server is an older production build's.
    const shellHashes = dev ? null : divisionShellScriptHashes();
    if (divisionId && (req.method === "GET" || req.method === "HEAD") && (shellHashes || dev) && (await mayOpenDivisionPage(token, divisionId, requestId))) {
      const shell = req.nextUrl.clone();
      shell.pathname = DIVISION_SHELL_PATH;
      const res = NextResponse.rewrite(shell, { request: { headers } });
      // The same bytes for everyone, but only after this person's access was checked: no shared cache may keep it.
      res.headers.set("Cache-Control", PRIVATE_NO_STORE);
      const shellCsp = shellHashes ? prerenderedContentSecurityPolicy(shellHashes, policyOptions) : contentSecurityPolicy(nonce, policyOptions, [scriptHash(EARLY_USERS_SCRIPT)]);
      return withRequestId(withSecurityHeaders(res, shellCsp, https), requestId);
    }
  }
  return withRequestId(withSecurityHeaders(NextResponse.next({ request: { headers } }), csp, https), requestId);
}

function withRequestId(res: NextResponse, requestId: string): NextResponse {
  res.headers.set("X-Request-Id", requestId);
  return res;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|robots.txt).*)"],
};
