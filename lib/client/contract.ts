import type * as Contract from "@/lib/shared/contract";

// The contract's schemas, and zod with them (~20 kB gzip), are not part of a page's first-load JavaScript:
// nothing needs them before the first response arrives, so they load alongside it, once per page. Client
// code imports the contract's types statically and its schemas only through here (lint enforces it).

export type ContractModule = typeof Contract;

let loading: Promise<ContractModule> | undefined;

/**
 * The contract's module, loaded once. Callers start it before their request and await it after, so it may be
 * left unawaited (the request failed first, or a 304 needed no schema): its failure is marked as handled
 * here, and still rejects for whoever awaits it.
 */
export function loadContract(): Promise<ContractModule> {
  if (!loading) {
    loading = import("@/lib/shared/contract").catch((e: unknown) => {
      // A failed chunk load (say, the network dropped) is tried again on the next request, not remembered, and
      // the page says what happened in words rather than the bundler's.
      loading = undefined;
      throw new Error("Part of this page could not be loaded. Check your connection, then try again.", { cause: e });
    });
    loading.catch(() => undefined);
  }
  return loading;
}
