import "server-only";

import { getAuthEnv, getLogger } from "@/lib/server/platform";

import { getStaffResolver, liveStaffToken, readSessionToken } from "./session";

// next-auth answers /api/auth/session for any cookie it can decrypt, with the session and a freshly sealed
// cookie: also for a signed-out session, one past its lifetime, or one whose Genesys sign-in no longer works,
// which would hand a copied cookie a new lease. Those are answered here instead: signed out, cookie expired.

const SESSION_ENDPOINT = /\/api\/auth\/session\/?$/;

function parseCookies(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    const name = eq < 0 ? "" : part.slice(0, eq).trim();
    if (name !== "" && !(name in out)) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}

/** next-auth's response to a session that is gone: `{}`, and every chunk of the session cookie expired. */
function signedOut(cookieNames: readonly string[], secure: boolean): Response {
  const res = new Response("{}", {
    status: 200,
    headers: { "Content-Type": "application/json", "Cache-Control": "private, no-cache, no-store", Pragma: "no-cache", Expires: "0" },
  });
  for (const name of cookieNames) {
    res.headers.append("Set-Cookie", `${name}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`);
  }
  return res;
}

/** For the next-auth route: the answer to a session request whose session must not be renewed, or null to let next-auth answer. */
export async function refuseEndedSession(req: Request): Promise<Response | null> {
  if (!SESSION_ENDPOINT.test(new URL(req.url).pathname)) return null;
  const auth = getAuthEnv();
  const cookieName = `${auth.secureCookies ? "__Secure-" : ""}next-auth.session-token`;
  const cookieValues = parseCookies(req.headers.get("cookie"));
  // next-auth splits a large cookie into .0, .1, …
  const sessionCookies = Object.keys(cookieValues).filter((name) => name.startsWith(cookieName));
  // No cookie: next-auth answers {} and sets none.
  if (sessionCookies.length === 0) return null;
  const staffToken = await liveStaffToken(await readSessionToken(cookieValues, Object.fromEntries(req.headers.entries())));
  if (staffToken) {
    try {
      if (await getStaffResolver().resolve(staffToken)) return null;
    } catch (e) {
      // Genesys could not say (an outage): next-auth answers as it always has.
      getLogger().warn({ err: e instanceof Error ? e.message : String(e) }, "session check: the staff member's access could not be read");
      return null;
    }
  }
  return signedOut(sessionCookies, auth.secureCookies);
}
