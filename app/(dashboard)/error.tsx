"use client";

import Link from "next/link";

// Unexpected failures while rendering a dashboard page. The message is generic on purpose: server errors
// never carry upstream text to the browser.
export default function DashboardError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="panel" role="alert">
      <h1>Something went wrong</h1>
      <p>Tenantscope could not load this page. Genesys Cloud may be unavailable for a moment.</p>
      <p>
        <button type="button" className="button" onClick={reset}>
          Try again
        </button>{" "}
        <Link href="/">Back to your divisions</Link>
      </p>
    </div>
  );
}
