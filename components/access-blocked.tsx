import type { AccessBlocked as Blocked } from "@/lib/shared/contract";

/** Tenantscope's own client lacks a permission /access needs: which one, and how to add it. */
export function AccessBlocked({ blocked }: { blocked: Blocked }) {
  return (
    <div className="banner bad" role="alert">
      <p>
        <strong>{blocked.message}</strong>
      </p>
      <p>How to fix:</p>
      <ol>
        {blocked.fix.map((step) => (
          <li key={step}>{step}</li>
        ))}
      </ol>
      {blocked.correlationId ? (
        <p className="muted">
          Genesys correlation id: <code>{blocked.correlationId}</code>
        </p>
      ) : null}
    </div>
  );
}

export function ErrorBanner({ error }: { error: Error | null }) {
  return error ? (
    <p className="banner bad" role="alert">
      {error.message}
    </p>
  ) : null;
}
