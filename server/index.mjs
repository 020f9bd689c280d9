// @ts-check
// `npm start`: the production server. Next's own request handler (routing, proxy.ts, pages, route handlers,
// compression) behind an admission gate (admission-gate.mjs says why), plus a graceful shutdown.
//   PORT=3000 HOSTNAME=0.0.0.0 node server/index.mjs      (after `next build`)
import { AsyncLocalStorage } from "node:async_hooks";
import http from "node:http";

import next from "next";
import pino from "pino";

import { AdmissionGate, bypassesGate, isProgressStream, ShedError, Slot } from "./admission-gate.mjs";
import { hasSession } from "./session-check.mjs";
import { TurnQueue } from "./turns.mjs";
import { readServerSettings } from "./settings.mjs";

const settings = readServerSettings(process.env);
const log = pino({ level: settings.logLevel, base: { service: "tenantscope", component: "http-server" }, timestamp: pino.stdTimeFunctions.isoTime });

const app = next({ dev: false, dir: process.cwd(), ...(settings.hostname ? { hostname: settings.hostname } : {}), port: settings.port });
const handle = app.getRequestHandler();
const gate = new AdmissionGate(settings.gate);
const turns = new TurnQueue({ onError: (e) => log.error({ err: e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : String(e) }, "request start failed") });
/** @type {AsyncLocalStorage<Slot>} */
const slots = new AsyncLocalStorage();
// The app's modules are bundled apart from this file: lib/server/platform/metrics.ts reports the gate's figures,
// and lib/server/platform/admission.ts finds the current request's slot, through these.
Object.defineProperty(globalThis, Symbol.for("tenantscope.admission-gate"), { value: gate });
Object.defineProperty(globalThis, Symbol.for("tenantscope.admission-slots"), { value: slots });
// Read by readiness (lib/server/platform/admission.ts isDraining): 503 "draining" once shutdown has begun.
const shutdownState = { draining: false };
Object.defineProperty(globalThis, Symbol.for("tenantscope.shutdown"), { value: shutdownState });

const BUSY_HEADERS = {
  "Retry-After": "5",
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
  "Referrer-Policy": "no-referrer",
};

/** 503 in the app's error envelope (code `overloaded`), or a short page for a browser navigation. */
function refuse(/** @type {http.IncomingMessage} */ req, /** @type {http.ServerResponse} */ res) {
  if (res.headersSent || res.destroyed) return;
  const html = (req.headers.accept ?? "").includes("text/html");
  const message = "Tenantscope is busy right now. Please try again in a few seconds.";
  res.writeHead(503, { ...BUSY_HEADERS, "Content-Type": html ? "text/html; charset=utf-8" : "application/json" });
  res.end(html ? `<!doctype html><html lang="en"><title>Busy</title><p>${message}</p></html>` : JSON.stringify({ error: { code: "overloaded", message } }));
}

let lastShedLog = 0;

// Precompressed bodies. Next drops a route handler's own Content-Encoding header (it cannot tell a body the
// handler compressed from one fetch() already decoded) and would gzip the bytes a second time. A route that
// serves bytes it compressed once (lib/server/http/encoded-body.ts) names their coding in this header
// instead, and only when this server announced on the request that it will pass it on as Content-Encoding;
// Next's own compression then leaves the response alone. Under `next dev` nothing is announced: identity.
/**
 * Responses whose connection has closed. A request can outlive its client while it waits (for its turn, for a
 * slot); a 'close' listener added after the event never runs, and a slot taken for it would never come back.
 */
const closedResponses = new WeakSet();

const PRECOMPRESSED = "x-tenantscope-precompressed";

function passPrecompressed(/** @type {http.IncomingMessage} */ req, /** @type {http.ServerResponse} */ res) {
  req.headers[PRECOMPRESSED] = "1"; // never a client's own: overwritten here
  for (const method of /** @type {const} */ (["setHeader", "appendHeader"])) {
    const original = res[method].bind(res);
    // @ts-expect-error the same signature, with the header's name translated
    res[method] = (name, value) => original(typeof name === "string" && name.toLowerCase() === PRECOMPRESSED ? "content-encoding" : name, value);
  }
}

async function serve(/** @type {http.IncomingMessage} */ req, /** @type {http.ServerResponse} */ res) {
  passPrecompressed(req, res);
  if (bypassesGate(req) || (isProgressStream(req) && (await hasSession(req, settings.session)))) return handle(req, res);
  if (closedResponses.has(res)) return;
  const gone = new AbortController();
  const onClose = () => gone.abort();
  res.once("close", onClose);
  let release;
  try {
    release = await gate.enter(gone.signal);
  } catch (e) {
    if (!(e instanceof ShedError)) throw e;
    if (e.reason !== "client_gone") {
      if (Date.now() - lastShedLog > 5_000) {
        lastShedLog = Date.now();
        log.warn({ reason: e.reason, gate: gate.stats() }, "requests shed: the server is saturated");
      }
      refuse(req, res);
    }
    return;
  } finally {
    res.off("close", onClose);
  }
  const slot = new Slot(gate, release);
  if (closedResponses.has(res)) {
    slot.finish();
    return;
  }
  // 'close' follows 'finish' and also fires when the client goes away mid-response.
  res.once("close", () => slot.finish());
  return slots.run(slot, () => handle(req, res));
}

await app.prepare();
/** Responses not yet ended, the gate's and the ones that skip it (probes, progress streams): the drain waits for them all. */
let inFlight = 0;
/** Set when the server stops accepting: a request still arriving on a kept-alive connection is its last. */
let closing = false;
const server = http.createServer((req, res) => {
  inFlight++;
  res.once("close", () => {
    inFlight--;
    closedResponses.add(res);
  });
  if (closing) res.setHeader("Connection", "close");
  // While connections are arriving, one request starts per turn of the event loop, so that they are accepted (turns.mjs).
  turns.run(() => {
    // Its client left while it waited for its turn: nothing to answer, and no slot to take.
    if (closedResponses.has(res)) return;
    serve(req, res).catch((e) => {
      log.error({ err: e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : String(e) }, "request handler failed");
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "application/json", "Cache-Control": "no-store" });
        res.end(JSON.stringify({ error: { code: "internal", message: "Something went wrong on our side. Please try again later." } }));
      } else res.destroy();
    });
  });
});
server.on("connection", () => turns.connected());
server.keepAliveTimeout = settings.keepAliveTimeoutMs;
server.listen({ port: settings.port, ...(settings.hostname ? { host: settings.hostname } : {}) }, () => {
  log.info({ port: settings.port, hostname: settings.hostname, gate: settings.gate }, "ready");
});

let stopping = false;
/** Ends the SHUTDOWN_DELAY_SECONDS wait early: a second signal means "now". */
let skipDelay = () => {};
async function shutdown(/** @type {string} */ signal) {
  if (stopping) {
    skipDelay();
    return;
  }
  stopping = true;
  shutdownState.draining = true;
  if (settings.shutdownDelayMs > 0) {
    // Still serving, readiness saying "draining", until whoever routes to this instance has taken it out.
    log.info({ signal, delayMs: settings.shutdownDelayMs }, "shutting down: readiness answers draining; still accepting until the delay ends");
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, settings.shutdownDelayMs);
      skipDelay = () => {
        clearTimeout(timer);
        resolve(undefined);
      };
    });
  }
  log.info({ signal }, "shutting down: no new connections, finishing requests in progress");
  closing = true;
  server.close();
  const timer = setTimeout(() => {
    log.warn({ inFlight }, "shutdown deadline (10 s): ending the requests still in progress");
    process.exit(1);
  }, 10_000);
  timer.unref();
  // Sheds the gate's queue at once; what it admitted is among the responses counted below.
  const gateClosed = gate.close();
  // Connections that were busy at close() become idle as their response ends: closed then, not left to linger.
  for (;;) {
    server.closeIdleConnections();
    if (inFlight === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await gateClosed;
  await app.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
