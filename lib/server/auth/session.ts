import "server-only";

import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getToken, type JWT } from "next-auth/jwt";
import { cache } from "react";

import { getAuthEnv, getEnv, hasProcessSingleton, processSingleton, currentRequestId, requestIdFrom, withRequestContext } from "@/lib/server/platform";
import { getSharedStore } from "@/lib/server/shared-state";
import { localStaffShare, SharedStaffShare, StaffAccessResolver, type StaffAccess, type StaffToken } from "@/lib/server/staff";
import { safeCallbackUrl } from "@/lib/shared/sign-in";

import { decodeSessionToken } from "./session-decode";
import { hasSessionEnded } from "./session-lifetime";
import { isSessionRevoked } from "./session-revocations";

// Reads the caller's session straight from the encrypted session cookie (server side only) and turns it
// into their current access. An unreadable or expired cookie is "signed out", never an error.

const STAFF_RESOLVER = "staff-resolver";

/** With Redis, every instance shares each session's access and its refresh moment (staff/staff-share.ts). */
export function getStaffResolver(): StaffAccessResolver {
  return processSingleton(STAFF_RESOLVER, () => {
    const auth = getAuthEnv();
    const store = getSharedStore();
    const share = store.enabled ? new SharedStaffShare(store, auth.sessionMaxAgeSeconds * 1000) : localStaffShare;
    return new StaffAccessResolver(getEnv(), auth, { share });
  });
}

/** Whether this process has made its staff resolver yet (read by the proxy, `page-access.ts`). */
export function hasStaffResolver(): boolean {
  return hasProcessSingleton(STAFF_RESOLVER);
}

/** The session token in these cookies (or bearer header), or null when there is none or it cannot be opened. */
export function readSessionToken(cookieValues: Record<string, string>, headerValues: Record<string, string>): Promise<JWT | null> {
  // getToken expects a Node-style request; only cookies and headers are read from it.
  const req = { cookies: cookieValues, headers: headerValues } as unknown as Parameters<typeof getToken>[0]["req"];
  const auth = getAuthEnv();
  return getToken({ req, secret: auth.nextAuthSecret, secureCookie: auth.secureCookies, decode: decodeSessionToken });
}

/** The staff member's Genesys sign-in, unless the session was signed out or has outlived its lifetime. */
export async function liveStaffToken(token: JWT | null): Promise<StaffToken | null> {
  if (!token?.genesys || hasSessionEnded(token, getAuthEnv().sessionMaxAgeSeconds)) return null;
  if (await isSessionRevoked(token.sid)) return null;
  return token.genesys;
}

/** The caller's access, read once per request however many layouts and pages ask (React's request cache). */
export const getStaffAccess = cache(readStaffAccess);

async function readStaffAccess(): Promise<StaffAccess | null> {
  const [cookieStore, headerList] = await Promise.all([cookies(), headers()]);
  const token = await readSessionToken(Object.fromEntries(cookieStore.getAll().map((c) => [c.name, c.value])), Object.fromEntries(headerList.entries()));
  const staffToken = await liveStaffToken(token);
  if (!staffToken) return null;
  // Route handlers already run in their request's context; pages get theirs here (the proxy's id).
  if (currentRequestId() !== undefined) return getStaffResolver().resolve(staffToken);
  return withRequestContext({ requestId: requestIdFrom(headerList) }, () => getStaffResolver().resolve(staffToken));
}

/**
 * For pages: the signed-in staff member, or a redirect to sign in again (with the way back) when the
 * session no longer works (signed out elsewhere, Genesys grant or token gone). Layout and page render
 * concurrently, so each page calls this itself rather than relying on the layout.
 */
export async function requirePageStaff(): Promise<StaffAccess> {
  const staff = await getStaffAccess();
  if (staff) return staff;
  const back = safeCallbackUrl((await headers()).get("x-request-path") ?? "/");
  redirect(`/signin?error=SessionExpired&callbackUrl=${encodeURIComponent(back)}`);
}
