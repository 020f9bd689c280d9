import "server-only";

import { randomUUID } from "node:crypto";

import type { NextAuthOptions } from "next-auth";
import type { OAuthConfig } from "next-auth/providers/oauth";

import { getAuthEnv, getEnv, type AuthEnv, type Env } from "@/lib/server/platform";

import { getStaffResolver } from "./session";
import { sessionEndsAt, sessionTokenEncoder } from "./session-lifetime";
import { endSession } from "./sign-out";

// next-auth configuration: Genesys Cloud as an OAuth 2 provider (authorization code + PKCE + state;
// Genesys has no OpenID Connect, so no id_token: the profile comes from GET /api/v2/users/me).

interface GenesysProfile {
  id: string;
  name?: string;
  email?: string;
  username?: string;
}

function genesysProvider(env: Env, auth: AuthEnv): OAuthConfig<GenesysProfile> {
  const login = env.genesys.loginBaseUrl;
  const api = env.genesys.apiBaseUrl;
  return {
    id: "genesys",
    name: "Genesys Cloud",
    type: "oauth",
    authorization: { url: `${login}/oauth/authorize`, params: { scope: "", response_type: "code" } },
    token: `${login}/oauth/token`,
    userinfo: `${api}/api/v2/users/me`,
    clientId: auth.staffClientId,
    clientSecret: auth.staffClientSecret,
    checks: ["pkce", "state"],
    idToken: false,
    profile(profile) {
      return { id: profile.id, name: profile.name ?? profile.email ?? profile.id, email: profile.email ?? profile.username ?? "" };
    },
  };
}

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

let options: NextAuthOptions | undefined;

export function getAuthOptions(): NextAuthOptions {
  if (options) return options;
  const env = getEnv();
  const auth = getAuthEnv();
  options = {
    secret: auth.nextAuthSecret,
    session: { strategy: "jwt", maxAge: auth.sessionMaxAgeSeconds },
    // The session setting alone limits only the cookie; the token inside must end with the session too.
    jwt: { maxAge: auth.sessionMaxAgeSeconds, encode: sessionTokenEncoder(auth.sessionMaxAgeSeconds) },
    pages: { signIn: "/signin", error: "/signin" },
    providers: [genesysProvider(env, auth)],
    events: {
      signOut: ({ token }) => endSession(token),
    },
    callbacks: {
      jwt({ token, account, user }) {
        // Only at sign-in: keep the staff member's Genesys tokens inside the encrypted session cookie.
        if (account?.access_token && user) {
          // One id per sign-in, kept as the cookie is re-issued: sign-out revokes it (jti changes each time).
          token.sid = randomUUID();
          token.signedInAt = Math.floor(Date.now() / 1000);
          token.genesys = {
            userId: user.id,
            email: user.email ?? "",
            name: user.name ?? "",
            accessToken: account.access_token,
            ...(account.refresh_token ? { refreshToken: account.refresh_token } : {}),
            accessTokenExpiresAt: account.expires_at ? account.expires_at * 1000 : Date.now() + 3_600_000,
          };
        }
        return token;
      },
      async session({ session, token }) {
        const g = token.genesys;
        const access = g ? await getStaffResolver().resolve(g) : null;
        // Nothing secret leaves the server: no token, no division list, just who and which role.
        session.user = {
          id: g?.userId ?? "",
          name: g?.name ?? "",
          email: g?.email ?? "",
          isAdmin: access?.isAdmin ?? false,
          role: access?.isAdmin ? "admin" : "manager",
        };
        // When the session ends, not a full lifetime from now (next-auth's default).
        const endsAt = sessionEndsAt(token, auth.sessionMaxAgeSeconds);
        if (endsAt !== undefined) session.expires = new Date(endsAt * 1000).toISOString();
        return session;
      },
      redirect({ url, baseUrl }) {
        // Only ever back into this app: a callbackUrl pointing elsewhere lands on the home page, and so does
        // one with a control character (a newline in the Location header would fail the whole sign-in).
        if (CONTROL_CHARACTER.test(url)) return baseUrl;
        if (url.startsWith("/") && !url.startsWith("//") && !url.startsWith("/\\")) return `${baseUrl}${url}`;
        try {
          if (new URL(url).origin === baseUrl) return url;
        } catch {
          // not a URL
        }
        return baseUrl;
      },
    },
  };
  return options;
}
