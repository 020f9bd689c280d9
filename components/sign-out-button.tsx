"use client";

import { useState } from "react";

// next-auth's sign-out is a POST with its CSRF token. Doing it by hand keeps next-auth's client library
// (12 kB gzip) out of every dashboard page; only the sign-in page loads it.
export function SignOutButton() {
  const [busy, setBusy] = useState(false);
  const signOut = async () => {
    setBusy(true);
    try {
      const { csrfToken } = (await (await fetch("/api/auth/csrf", { credentials: "same-origin" })).json()) as { csrfToken: string };
      await fetch("/api/auth/signout", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Auth-Return-Redirect": "1" },
        body: new URLSearchParams({ csrfToken, callbackUrl: "/signin", json: "true" }),
      });
    } finally {
      // A full page load on purpose: it drops every cached query of this person's data from memory.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      window.location.assign("/signin");
    }
  };
  return (
    <button type="button" className="button" disabled={busy} onClick={() => void signOut()}>
      {busy ? "Signing out…" : "Sign out"}
    </button>
  );
}
