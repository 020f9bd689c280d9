import type { ReactNode } from "react";

import { ShellHeader } from "@/components/shell-header";

// Pages prerendered at build time, for no one in particular: the person in the header comes from the API.
// Only the proxy reaches them, under another page's address, after its own access check (proxy.ts).
export default function ShellLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <ShellHeader />
      <main id="main">{children}</main>
    </>
  );
}
