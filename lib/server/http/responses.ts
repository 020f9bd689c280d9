import "server-only";

import type { FetchProgress, RowsBatch } from "@/lib/server/divisions";
import { toAppError } from "@/lib/server/genesys";
import { toErrorResponse } from "@/lib/server/platform";
import { asciiJson } from "@/lib/shared/contract";

// Every body the BFF sends carries tenant or staff data, so no shared cache may keep it.

export const PRIVATE_NO_STORE = "private, no-store";

export function json(body: unknown, init: ResponseInit = {}): Response {
  return Response.json(body, { ...init, headers: { "Cache-Control": PRIVATE_NO_STORE, ...init.headers } });
}

/** JSON already serialised (a large cached payload is stringified once, not per request). */
export function jsonText(text: string): Response {
  return new Response(text, { headers: { "Cache-Control": PRIVATE_NO_STORE, "Content-Type": "application/json" } });
}

/** A CSV download; `fileName` is offered as is (ASCII) and percent-encoded (RFC 6266's filename*). */
export function csvResponse(stream: ReadableStream<Uint8Array>, fileName: string, headers: Record<string, string> = {}): Response {
  return new Response(stream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      "Cache-Control": PRIVATE_NO_STORE,
      ...headers,
    },
  });
}

export const NDJSON = "application/x-ndjson";

export function acceptsNdjson(req: Request): boolean {
  return (req.headers.get("accept") ?? "").includes(NDJSON);
}

export interface StreamEnd<T> {
  /** The last line, for what `run` resolved with (sent once the promise settles: an audit commit, say). */
  line(value: T): string | Promise<string>;
  /** When `run` resolves before sending any line, the whole response instead of a one-line stream. */
  alone?(value: T): Promise<Response>;
}

/**
 * A stream of JSON lines: whatever `run` sends while it works, then `end.line` of what it resolves with. The
 * response starts with the first line: if `run` fails before sending anything, the promise rejects and the
 * route answers with the error's real status; if it finishes first, `end.alone` may answer instead. A
 * failure after the first line becomes an error line in the app's error model (`onError` hears of it first),
 * since the 200 is already on its way.
 */
export function ndjsonResponse<T>(run: (send: (line: unknown) => void) => Promise<T>, end: StreamEnd<T>, onError: (e: unknown) => void): Promise<Response> {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    // The viewer went away (closed the tab, navigated): the work carries on (a fetch fills the cache for
    // whoever asks next), and its lines go nowhere; writing them would throw into a timer or a promise.
    cancel() {
      cancelled = true;
    },
  });
  const close = () => {
    if (!cancelled) controller.close();
  };
  return new Promise<Response>((resolve, reject) => {
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      resolve(new Response(stream, { headers: { "Cache-Control": PRIVATE_NO_STORE, "Content-Type": NDJSON, "X-Accel-Buffering": "no" } }));
    };
    const write = (text: string) => {
      if (!cancelled) controller.enqueue(encoder.encode(text + "\n"));
      start();
    };
    const send = (line: unknown) => write(asciiJson(JSON.stringify(line)));
    run(send).then(
      (value) => {
        if (!started && end.alone) {
          started = true;
          return end.alone(value).then(resolve, reject);
        }
        return Promise.resolve(end.line(value)).then((text) => {
          write(text);
          close();
        });
      },
      (e: unknown) => {
        if (!started) return reject(e);
        onError(e);
        const { status, body } = toErrorResponse(toAppError(e));
        send({ type: "error", status, ...body });
        close();
      },
    );
  });
}

/** Progress lines are throttled: a 120-page fetch would otherwise send a line per page per viewer. */
const PROGRESS_INTERVAL_MS = 100;

/** `report` at most every 100 ms, and always for the last ("done") report and when a wait starts or ends. */
export function throttled(report: (p: FetchProgress) => void): (p: FetchProgress) => void {
  let last = 0;
  let waiting = false;
  return (p) => {
    const now = Date.now();
    const waitChanged = (p.waiting !== undefined) !== waiting;
    if (p.phase !== "done" && !waitChanged && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    waiting = p.waiting !== undefined;
    report(p);
  };
}

export interface RowsStream {
  add(batch: RowsBatch): void;
  /** Drops what is still held: the result line, sent next, replaces every row anyway. */
  stop(): void;
}

/**
 * Rows lines gathered over the same interval as progress (a 12,000-user division arrives in ~150 batches, and
 * each line makes the browser sort its table again); the first batch goes at once, since the first rows on
 * screen are the point of sending any.
 */
export function batchedRows(send: (batch: RowsBatch) => void): RowsStream {
  let pending: RowsBatch | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = -Infinity;
  const flush = () => {
    timer = null;
    if (!pending) return;
    last = Date.now();
    const batch = pending;
    pending = null;
    send(batch);
  };
  return {
    add(batch) {
      if (pending) pending = { ...batch, users: pending.users.concat(batch.users) };
      else pending = batch;
      if (timer) return;
      const wait = last + PROGRESS_INTERVAL_MS - Date.now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      pending = null;
    },
  };
}
