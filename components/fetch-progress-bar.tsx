"use client";

import type { FetchProgress } from "@/lib/shared/contract";

const numberFormat = new Intl.NumberFormat("en");

/** A real progress bar for a cold fetch: search pages done of the pages known so far, and rows read. */
export function FetchProgressBar({ progress, expected }: { progress: FetchProgress | null; expected: number | null }) {
  const total = progress?.pagesTotal || (expected ? Math.ceil(expected / 100) : 0);
  const done = progress?.pagesDone ?? 0;
  const pct = total ? Math.min(100, Math.round((100 * done) / total)) : 0;
  const label = progress
    ? progress.phase === "reconciling"
      ? "Checking the directory for users the search index missed…"
      : `Loading users: page ${numberFormat.format(done)} of ${numberFormat.format(total || 1)} · ${numberFormat.format(progress.rows)} users so far`
    : "Starting…";
  return (
    <div className="panel" aria-busy="true">
      <p id="progress-label">{label}</p>
      <div className="progress" role="progressbar" aria-labelledby="progress-label" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <div style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
