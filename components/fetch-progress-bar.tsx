"use client";

import { useEffect, useState } from "react";

import type { FetchProgress } from "@/lib/shared/contract";

const numberFormat = new Intl.NumberFormat("en");

const WAIT_WORDS: Record<NonNullable<FetchProgress["waiting"]>["reason"], string> = {
  "rate-limit": "Genesys Cloud asked Tenantscope to slow down",
  budget: "Waiting for Tenantscope's share of Genesys Cloud's 300 requests a minute",
};

/** A wait on Genesys with its seconds left, counted down from when it was announced (remounted per wait). */
function WaitLine({ wait, done, total }: { wait: NonNullable<FetchProgress["waiting"]>; done: number; total: number }) {
  const [until] = useState(() => Date.now() + wait.seconds * 1000);
  const [left, setLeft] = useState(wait.seconds);
  useEffect(() => {
    const timer = setInterval(() => setLeft(Math.max(0, Math.ceil((until - Date.now()) / 1000))), 1000);
    return () => clearInterval(timer);
  }, [until]);
  return (
    <>
      {WAIT_WORDS[wait.reason]}: about {numberFormat.format(left)} s left · page {numberFormat.format(done)} of {numberFormat.format(total || 1)} so far
    </>
  );
}

function describe(progress: FetchProgress | null, done: number, total: number): string {
  if (!progress) return "Starting…";
  if (progress.phase === "reconciling") return "Checking the directory for users the search index missed…";
  return `Loading users: page ${numberFormat.format(done)} of ${numberFormat.format(total || 1)} · ${numberFormat.format(progress.rows)} users so far`;
}

/** A real progress bar for a cold fetch: pages read of the pages there are, and any wait on Genesys, with its time. */
export function FetchProgressBar({ progress, expected }: { progress: FetchProgress | null; expected: number | null }) {
  const total = progress?.pagesTotal || (expected ? Math.ceil(expected / 100) : 0);
  const done = progress?.pagesDone ?? 0;
  const pct = total ? Math.min(100, Math.round((100 * done) / total)) : 0;
  return (
    <div className="panel" aria-busy="true">
      <p id="progress-label">
        {progress?.waiting ? <WaitLine key={`${progress.waiting.reason}:${progress.waiting.seconds}:${done}`} wait={progress.waiting} done={done} total={total} /> : describe(progress, done, total)}
      </p>
      <div className="progress" role="progressbar" aria-labelledby="progress-label" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <div style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
