import Link from "next/link";

// The 404 content, shared by the root not-found page (which adds the <main> landmark) and the dashboard's
// (rendered inside the dashboard layout's <main>, so it must not add a second one).
export function NotFoundPanel() {
  return (
    <div className="panel" role="alert">
      <p className="badge warn">404 · Not found</p>
      <h1>There is no such page or division</h1>
      <p>The link may be mistyped, or the division may have been removed in Genesys Cloud.</p>
      <p>
        <Link href="/">Back to your divisions</Link>
      </p>
    </div>
  );
}
