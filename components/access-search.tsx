"use client";

import { useEffect, useState } from "react";

import { useAccessPeople } from "@/lib/client/access";

import { ErrorBanner } from "./access-blocked";

/** Finds a person by name or email (Genesys users search, through the BFF), debounced. */
export function AccessSearch({ onPick }: { onPick: (userId: string) => void }) {
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  useEffect(() => {
    const t = setTimeout(() => setQ(text.trim()), 300);
    return () => clearTimeout(t);
  }, [text]);
  const { data, error, isFetching } = useAccessPeople(q);
  return (
    <section className="panel" aria-labelledby="access-search-title">
      <h2 id="access-search-title">Find a person</h2>
      <label htmlFor="access-q">Name or email</label>{" "}
      <input id="access-q" type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="e.g. ana.manager@" autoComplete="off" />
      {isFetching ? <span className="muted"> Searching…</span> : null}
      <ErrorBanner error={error} />
      {q.length >= 2 && data ? (
        data.length === 0 ? (
          <p className="muted">Nobody matches “{q}”.</p>
        ) : (
          <ul className="access-people">
            {data.map((p) => (
              <li key={p.id}>
                <button type="button" className="button" onClick={() => onPick(p.id)}>
                  {p.name || p.email}
                </button>{" "}
                <span className="muted">{p.email}</span>
              </li>
            ))}
          </ul>
        )
      ) : null}
    </section>
  );
}
