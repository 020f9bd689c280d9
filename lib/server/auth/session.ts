import "server-only";

import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getToken } from "next-auth/jwt";
import { cache } from "react";


import { getAuthEnv, getEnv, processSingleton, currentRequestId, requestIdFrom, withRequestContext } from "@/lib/server/platform";
import { StaffAccessResolver, type StaffAccess } from "@/lib/server/staff";
import { safeCallbackUrl } from "@/lib/shared/sign-in";

import { isSessionRevoked } from "./session-revocations";

// Reads the caller's session straight from the encrypted session cookie (server side only) and turns it
// into their current access. An unreadable or expired cookie is "signed out", never an error.

export function getStaffResolver(): StaffAccessResolver {
  return processSingleton("staff-resolver", () => new StaffAccessResolver(getEnv(), getAuthEnv()));
}

/** The caller's access, read once per request however many layouts and pages ask (React's request cache). */
export const getStaffAccess = cache(readStaffAccess);

async function readStaffAccess(): Promise<StaffAccess | null> {
  const [cookieStore, headerList] = await Promise.all([cookies(), headers()]);
  // getToken expects a Node-style request; only cookies and headers are read from it.
  const req = {
    cookies: Object.fromEntries(cookieStore.getAll().map((c) => [c.name, c.value])),
    headers: Object.fromEntries(headerList.entries()),
  } as unknown as Parameters<typeof getToken>[0]["req"];
  const auth = getAuthEnv();
  const token = await getToken({ req, secret: auth.nextAuthSecret, secureCookie: auth.secureCookies });
  if (!token?.genesys || (await isSessionRevoked(token.sid))) return null;
  const staffToken = token.genesys;
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
