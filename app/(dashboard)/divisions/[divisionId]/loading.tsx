export default function Loading() {
  return (
    <div className="panel" aria-busy="true">
      <p>Checking your access…</p>
    </div>
  );
}
