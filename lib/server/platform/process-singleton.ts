import "server-only";

// Next bundles route handlers and server components separately, so a module-level `let x` can exist
// twice in one server process. State that must be one per process (the BFF's Genesys client with its
// budget, the division cache, sign-out revocations, metrics) is kept on globalThis under a shared key.

export function processSingleton<T>(name: string, create: () => T): T {
  const key = Symbol.for(`tenantscope.${name}`);
  const store = globalThis as unknown as Record<symbol, T | undefined>;
  let value = store[key];
  if (value === undefined) {
    value = create();
    store[key] = value;
  }
  return value;
}

/** Whether the process already holds this singleton, without making it. */
export function hasProcessSingleton(name: string): boolean {
  return (globalThis as unknown as Record<symbol, unknown>)[Symbol.for(`tenantscope.${name}`)] !== undefined;
}
