import "server-only";

import type { UpstreamWait } from "@/lib/server/genesys";
import type { FetchProgress } from "@/lib/shared/contract";

import type { FetchOptions } from "./fetch-types";

// A fetch's progress reports (fetch.ts), with the waits on Genesys folded in.

/**
 * Progress as it is: each report carries whether the fetch is waiting for Genesys (Retry-After or the
 * request budget) and for how long, and a wait is reported when it starts, not with the next page.
 */
export function truthfulProgress(onProgress: FetchOptions["onProgress"]) {
  let last: FetchProgress = { phase: "starting", pagesDone: 0, pagesTotal: 0, rows: 0, expected: null };
  let wait: UpstreamWait | null = null;
  const emit = () => onProgress?.(wait ? { ...last, waiting: wait } : last);
  return {
    report(p: FetchProgress): void {
      last = p;
      if (p.phase === "done") wait = null;
      emit();
    },
    waiting(w: UpstreamWait | null): void {
      if (w === null && wait === null) return;
      wait = w;
      emit();
    },
  };
}
