// The 403 panel of the admin pages (diagnostics, audit trail) for a manager who opened one.
export function AdminsOnly({ title, hint }: { title: string; hint: string }) {
  return (
    <div className="panel" role="alert">
      <p className="badge bad">403 · Admins only</p>
      <h1>{title}</h1>
      <p>{hint}</p>
    </div>
  );
}
