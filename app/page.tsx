export default function HomePage() {
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 640, margin: "4rem auto", padding: "0 1rem" }}>
      <h1>Tenantscope</h1>
      <p>
        The dashboard is not built yet. The local Genesys Cloud emulator is running; see the README for its
        accounts and options.
      </p>
    </main>
  );
}
