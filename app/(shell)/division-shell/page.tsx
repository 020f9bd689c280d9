import type { Metadata } from "next";

import { DivisionShell } from "@/components/division-shell";
import { EARLY_USERS_SCRIPT } from "@/lib/shared/contract/users-wire";

export const metadata: Metadata = { title: "Division" };

// Prerendered at build time: the build fails if anything here reads the request.
export const dynamic = "error";

/** The division page the proxy serves to a person it has let through (proxy.ts; the per-request page is app/(dashboard)/divisions/[divisionId]). */
export default function DivisionShellPage() {
  return (
    <>
      {/* No nonce: the shell is the same bytes for everyone; its hash is in the shell's script policy. */}
      <script dangerouslySetInnerHTML={{ __html: EARLY_USERS_SCRIPT }} />
      <DivisionShell />
    </>
  );
}
