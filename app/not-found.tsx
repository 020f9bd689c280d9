import Link from "next/link";

export default function NotFound() {
  return (
    <main id="main">
      <div className="panel" role="alert">
        <p className="badge warn">404 · Not found</p>
        <h1>There is no such page or division</h1>
        <p>The link may be mistyped, or the division may have been removed in Genesys Cloud.</p>
        <p>
          <Link href="/">Back to your divisions</Link>
        </p>
      </div>
    </main>
  );
}
