import { queryOptions, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useCallback, useSyncExternalStore } from "react";

import type { DivisionUsersPayload, FetchProgress, UserRow, UsersRowsLine, UsersStreamLine } from "@/lib/shared/contract";
import { EARLY_USERS_REQUESTS, USERS_ACCEPT, divisionIdInPath, divisionUsersUrl, type EarlyUsersResponse } from "@/lib/shared/contract/users-wire";

import { ApiError, parseBody, readError, unreadableResponse } from "./api";
import { loadContract, type ContractModule } from "./contract";

// A division's users: plain JSON when the BFF has them cached; over NDJSON while a cold fetch runs (progress
// lines and confirmed rows, kept in a small store the page subscribes to, then the result line). The result
// becomes the query's data and replaces the rows streamed before it.

/** The rows a cold fetch has confirmed so far (each placed in the division by the live directory). */
export interface StreamedUsers {
  users: UserRow[];
  verified: number;
  expected: number | null;
}

interface Streaming {
  progress: FetchProgress | null;
  rows: StreamedUsers | null;
}

const streams = new Map<string, Streaming>();
const listeners = new Set<() => void>();

function setStreaming(divisionId: string, next: Partial<Streaming>, notify = true): void {
  streams.set(divisionId, { progress: null, rows: null, ...streams.get(divisionId), ...next });
  if (notify) for (const l of listeners) l();
}

function addRows(divisionId: string, line: UsersRowsLine): void {
  const before = streams.get(divisionId)?.rows?.users ?? [];
  setStreaming(divisionId, { rows: { users: before.concat(line.users), verified: line.verified, expected: line.expected } });
}

function useStreaming<T>(divisionId: string, pick: (s: Streaming | undefined) => T | null): T | null {
  return useSyncExternalStore(
    useCallback((l: () => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    }, []),
    () => pick(streams.get(divisionId)),
    () => null,
  );
}

export function useFetchProgress(divisionId: string): FetchProgress | null {
  return useStreaming(divisionId, (s) => s?.progress ?? null);
}

/** The rows confirmed so far while a cold fetch runs; null when none is running or none has arrived. */
export function streamedUsers(divisionId: string): StreamedUsers | null {
  return streams.get(divisionId)?.rows ?? null;
}

export function useStreamedUsers(divisionId: string): StreamedUsers | null {
  return useStreaming(divisionId, () => streamedUsers(divisionId));
}

/** One NDJSON line, checked against the contract; a line that is not JSON is unreadable too. */
function parseLine(contract: ContractModule, text: string): UsersStreamLine {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw unreadableResponse();
  }
  return parseBody(contract.usersStreamLineSchema, data);
}

/** The users requests the page's HTML started (`EARLY_USERS_SCRIPT`), by division; none outside a browser. */
function earlyRequests(): Record<string, Promise<EarlyUsersResponse | null>> | undefined {
  if (typeof window === "undefined") return undefined;
  return (window as unknown as Record<string, Record<string, Promise<EarlyUsersResponse | null>> | undefined>)[EARLY_USERS_REQUESTS];
}

/**
 * The users request the division page's HTML started before this code loaded (`EARLY_USERS_SCRIPT`), taken
 * once: a later read fetches anew. Null when there is none or it failed to connect (then the caller fetches
 * itself). It cannot be aborted by the query's signal; it was already under way before the query.
 */
async function takeEarlyRequest(divisionId: string): Promise<EarlyUsersResponse | null> {
  const pending = earlyRequests();
  const request = pending?.[divisionId];
  if (!pending || !request) return null;
  delete pending[divisionId];
  return request;
}

/** The ETag each payload came with, so that the next read can ask "has it changed?" and get a 304. */
const etags = new WeakMap<DivisionUsersPayload, string>();

export interface FetchUsersOptions {
  refresh?: boolean;
  signal?: AbortSignal;
  /** The payload the page already holds: sent as If-None-Match, returned as is on 304. */
  current?: DivisionUsersPayload | undefined;
}

/**
 * A division's users. A warm division answers plain JSON (compressed, with an ETag: the copy held is
 * revalidated, 304 without a body); a division that must be fetched answers NDJSON, progress lines first.
 */
export async function fetchDivisionUsers(divisionId: string, options: FetchUsersOptions = {}): Promise<DivisionUsersPayload> {
  // The schemas load while the request is under way, not after it.
  const contract = loadContract();
  const etag = options.current && !options.refresh ? etags.get(options.current) : undefined;
  const early = options.refresh || options.current ? null : await takeEarlyRequest(divisionId);
  // A forced refetch changes server state, so it is a POST (same origin only); reading is a GET.
  const res =
    early?.response ??
    (await fetch(divisionUsersUrl(divisionId), {
      method: options.refresh ? "POST" : "GET",
      headers: { Accept: USERS_ACCEPT, ...(etag ? { "If-None-Match": etag } : {}) },
      credentials: "same-origin",
      // Tenant data is never stored by the browser (the server says no-store); revalidation is done here.
      cache: "no-store",
      ...(options.signal ? { signal: options.signal } : {}),
    }));
  if (res.status === 304 && options.current) return options.current;
  if (!res.ok || !res.body) throw await readError(res);
  if (!(res.headers.get("content-type") ?? "").startsWith("application/x-ndjson")) {
    // The early request has read a warm division's body already.
    const [{ divisionUsersPayloadSchema }, data] = await Promise.all([contract, early?.json ?? res.json().catch(() => null)]);
    const payload = parseBody(divisionUsersPayloadSchema, data);
    const tag = res.headers.get("etag");
    if (tag) etags.set(payload, tag);
    return payload;
  }
  const body = res.body;
  // Without the schemas nothing of the stream can be read: end it rather than leave a cold fetch's stream open.
  const schemas = await contract.catch(async (e: unknown) => {
    await body.cancel().catch(() => undefined);
    throw e;
  });
  return readStream(divisionId, body, schemas);
}

/** The NDJSON users stream: progress and rows into the store as they come, then the result (exported for tests). */
export async function readStream(divisionId: string, body: ReadableStream<Uint8Array<ArrayBuffer>>, contract: ContractModule): Promise<DivisionUsersPayload> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let settled = false;
  setStreaming(divisionId, { progress: null, rows: null });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (value) buffer += value;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = parseLine(contract, buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        if (line.type === "progress") {
          const { type: _type, ...p } = line;
          setStreaming(divisionId, { progress: p });
        } else if (line.type === "rows") addRows(divisionId, line);
        else if (line.type === "error") throw new ApiError(line.status, line.error);
        else {
          const { type: _type, ...payload } = line;
          // Cleared without telling the page: the query's data, set as this returns, replaces the rows; told
          // now, it would render a frame with neither (the table gone, then back).
          settled = true;
          setStreaming(divisionId, { progress: null, rows: null }, false);
          return payload;
        }
      }
      if (done) throw new ApiError(502, { code: "upstream_bad_response", message: "The server ended the response early." });
    }
  } finally {
    if (!settled) setStreaming(divisionId, { progress: null, rows: null });
    reader.releaseLock();
  }
}

/** Reads of the early request begun before the page's view asked (`primeDivisionUsers`), until it takes them. */
const primed = new Map<string, Promise<DivisionUsersPayload>>();

function takePrimed(divisionId: string): Promise<DivisionUsersPayload> | undefined {
  const payload = primed.get(divisionId);
  primed.delete(divisionId);
  return payload;
}

/**
 * Reads the users request the page's HTML started, before hydration, and puts a warm division's payload in
 * the query cache as soon as it is read and checked: when that is done before the view's first render (the
 * usual case on a warm re-open), the view renders its rows at once, instead of reading the body, checking
 * 12,000 rows and rendering once more after hydration. A view that asks first takes the read under way; a
 * failure is left for it to take, and to report and retry as it would its own request. Only for a view
 * rendered after hydration (`primeShellDivisionUsers`): one hydrated with its rows would not match the
 * server's HTML, which has none.
 */
export function primeDivisionUsers(client: QueryClient, divisionId: string): void {
  if (primed.has(divisionId) || !earlyRequests()?.[divisionId]) return;
  const payload = fetchDivisionUsers(divisionId);
  primed.set(divisionId, payload);
  payload.then(
    (data) => {
      // Taken by the view meanwhile: its query sets the data.
      if (takePrimed(divisionId) !== payload) return;
      client.setQueryData(divisionUsersQueryOptions(divisionId).queryKey, data);
    },
    () => undefined,
  );
}

/** An attribute only the prerendered shell's HTML carries (`components/division-shell.tsx`). */
export const SHELL_MARKER = "data-division-shell";

/**
 * `primeDivisionUsers` for the division in the address, when this document is the prerendered shell's own
 * HTML: its view renders after hydration. Not on the page rendered per request (its view is hydrated), and
 * not when the shell's code loads for a move within the app, whose document is another page's.
 */
export function primeShellDivisionUsers(client: QueryClient): void {
  if (typeof document === "undefined" || !document.querySelector(`[${SHELL_MARKER}]`)) return;
  const divisionId = divisionIdInPath(window.location.pathname);
  if (divisionId) primeDivisionUsers(client, divisionId);
}

export function divisionUsersQueryOptions(divisionId: string) {
  const queryKey = ["division-users", divisionId] as const;
  return queryOptions({
    queryKey,
    // The signal is read only for a request of its own: a query that read it is cancelled when its view
    // unmounts (as React's StrictMode does once in development), which would drop the primed read and ask again.
    queryFn: (context) => takePrimed(divisionId) ?? fetchDivisionUsers(divisionId, { signal: context.signal, current: context.client.getQueryData<DivisionUsersPayload>(queryKey) }),
    // The server already caches and revalidates; refetching on every mount would only add load.
    staleTime: 60_000,
  });
}

export function useDivisionUsers(divisionId: string) {
  return useQuery(divisionUsersQueryOptions(divisionId));
}

/** A forced refresh (rate-limited by the server), written straight into the query cache. */
export function useRefreshDivision(divisionId: string) {
  const client = useQueryClient();
  return useCallback(async () => {
    const data = await fetchDivisionUsers(divisionId, { refresh: true });
    client.setQueryData(divisionUsersQueryOptions(divisionId).queryKey, data);
    return data;
  }, [client, divisionId]);
}
