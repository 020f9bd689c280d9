// Runs once when the server starts: configuration problems stop start-up with one readable message per
// variable, instead of surfacing as errors on the first requests.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { checkStartupConfig } = await import("@/lib/server/platform");
  checkStartupConfig();
}
