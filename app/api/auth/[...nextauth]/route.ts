// GET|POST /api/auth/* – next-auth: Genesys Cloud sign-in, callback, session, sign-out
import NextAuth from "next-auth";

import { getAuthOptions, callbackProblem, refuseEndedSession } from "@/lib/server/auth";

type Context = { params: Promise<{ nextauth: string[] }> };

type Handler = (req: Request, context: Context) => Promise<Response>;
let nextAuth: Handler | undefined;

async function handler(req: Request, context: Context): Promise<Response> {
  // next-auth reports a denied consent and a lost state cookie alike ("OAuthCallback"); tell them apart.
  const problem = callbackProblem(req);
  if (problem) return Response.redirect(new URL(`/signin?error=${problem}`, req.url), 302);
  // A signed-out, expired or dead session gets no renewed cookie from /api/auth/session.
  const refused = await refuseEndedSession(req);
  if (refused) return refused;
  // Built on first use, not at import, so that `next build` needs no secrets.
  nextAuth ??= NextAuth(getAuthOptions()) as Handler;
  return nextAuth(req, context);
}

export { handler as GET, handler as POST };
