// First line of defence only: signed-out page requests go to the sign-in page with the full original path
// and query as the callback, so shared links survive sign-in. The real check sits next to the data
// (lib/server/access.ts); API routes answer 401 themselves.
import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";

import { getAuthEnv } from "@/lib/server/env";

export async function proxy(req: NextRequest): Promise<NextResponse> {
  const auth = getAuthEnv();
  const token = await getToken({ req, secret: auth.nextAuthSecret, secureCookie: auth.secureCookies });
  if (token?.genesys) return NextResponse.next();
  const signIn = new URL("/signin", req.nextUrl.origin);
  signIn.searchParams.set("callbackUrl", `${req.nextUrl.pathname}${req.nextUrl.search}`);
  return NextResponse.redirect(signIn);
}

export const config = {
  // Pages only: not the API (401s), not the sign-in page itself, not Next's assets.
  matcher: ["/((?!api/|_next/|signin|favicon.ico|robots.txt).*)"],
};
