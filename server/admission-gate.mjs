// @ts-check
// Admission control in front of Next. Node runs every request's render on one thread; with hundreds of
// requests in progress at once they share it unevenly (continuations queued behind other requests'
// microtasks), so some wait 10 s and more while others finish in one. Measured with 200 sessions on the
// division page: 72–327 timeouts (> 10 s) out of ~2,000 requests without the gate, none with 8–16 slots.
// At most `limit` requests are handled at once; the others wait in arrival order, each for at most
// `maxWaitMs`, in a queue of at most `maxQueue`; past either bound the request is shed (503, Retry-After).
// A slot is for using the CPU: a request that waits on Genesys gives its slot back meanwhile (`Slot`), so
// slow upstream calls cannot block the warm requests behind them. When its wait ends it takes a slot back at
// once, even past the limit (new requests then wait until the count is below it again): making it queue
// could deadlock, with every slot held by requests waiting for the very request that queues.

export class ShedError extends Error {
  /** @param {"queue_full" | "queue_timeout" | "shutting_down" | "client_gone"} reason */
  constructor(reason) {
    super(`request shed: ${reason}`);
    this.name = "ShedError";
    this.reason = reason;
  }
}

/**
 * @typedef {object} GateOptions
 * @property {number} limit requests handled at once
 * @property {number} maxQueue requests that may wait for a slot
 * @property {number} maxWaitMs how long one request may wait for a slot
 */

/**
 * @typedef {object} GateStats
 * @property {number} active
 * @property {number} queued
 * @property {number} admitted total admitted since start
 * @property {number} shed total shed since start, all reasons
 * @property {Record<string, number>} shedByReason
 * @property {number} waitedMsTotal summed queue wait of admitted requests
 * @property {number} maxWaitedMs longest queue wait of an admitted request
 */

/** @typedef {{ admit: () => void, fail: (e: ShedError) => void, timer: NodeJS.Timeout, since: number }} Waiter */

export class AdmissionGate {
  /** @param {GateOptions} options */
  constructor(options) {
    this.options = options;
    this.active = 0;
    /** @type {Waiter[]} */
    this.queue = [];
    this.closed = false;
    /** @type {GateStats} */
    this.totals = { active: 0, queued: 0, admitted: 0, shed: 0, shedByReason: {}, waitedMsTotal: 0, maxWaitedMs: 0 };
    /** Requests that gave their slot back while waiting on I/O. */
    this.suspended = 0;
  }

  /**
   * A slot again, at once, for a request that gave its own back (Slot.resume).
   * @returns {() => void}
   */
  reenter() {
    this.active++;
    return this.releaser();
  }

  /**
   * Resolves with a release function once the request may run; rejects with ShedError. Pass `signal` to leave
   * the queue when the client goes away (its place is given to the next in line).
   * @param {AbortSignal} [signal]
   * @returns {Promise<() => void>}
   */
  enter(signal) {
    if (this.closed) return Promise.reject(this.shed("shutting_down"));
    if (this.active < this.options.limit && this.queue.length === 0) {
      this.active++;
      this.totals.admitted++;
      return Promise.resolve(this.releaser());
    }
    if (this.queue.length >= this.options.maxQueue) return Promise.reject(this.shed("queue_full"));
    return new Promise((resolve, reject) => {
      const since = Date.now();
      /** @type {Waiter} */
      const waiter = {
        since,
        admit: () => {
          cleanup();
          const waited = Date.now() - since;
          this.totals.admitted++;
          this.totals.waitedMsTotal += waited;
          this.totals.maxWaitedMs = Math.max(this.totals.maxWaitedMs, waited);
          resolve(this.releaser());
        },
        fail: (e) => {
          cleanup();
          reject(e);
        },
        timer: setTimeout(() => {
          this.remove(waiter);
          waiter.fail(this.shed("queue_timeout"));
        }, this.options.maxWaitMs),
      };
      const onAbort = () => {
        this.remove(waiter);
        // Not counted as shed: nobody is waiting for the answer any more.
        waiter.fail(new ShedError("client_gone"));
      };
      const cleanup = () => {
        clearTimeout(waiter.timer);
        signal?.removeEventListener("abort", onAbort);
      };
      if (signal?.aborted) {
        clearTimeout(waiter.timer);
        return reject(new ShedError("client_gone"));
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /**
   * Stops admitting: queued requests are shed, running ones finish. Resolves when none is running, counting
   * those that gave their slot back while they wait on Genesys (they are running too).
   */
  async close() {
    this.closed = true;
    for (const waiter of this.queue.splice(0)) waiter.fail(this.shed("shutting_down"));
    while (this.active > 0 || this.suspended > 0) await new Promise((r) => setTimeout(r, 20));
  }

  /** @returns {GateStats & { suspended: number }} */
  stats() {
    return { ...this.totals, shedByReason: { ...this.totals.shedByReason }, active: this.active, queued: this.queue.length, suspended: this.suspended };
  }

  /** @private */
  releaser() {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Over the limit (a resumed request came back): this slot goes, instead of passing on.
      if (this.active > this.options.limit) {
        this.active--;
        return;
      }
      const next = this.queue.shift();
      // The slot passes straight to the next in line, so a newcomer cannot overtake the queue.
      if (next) next.admit();
      else this.active--;
    };
  }

  /** @private @param {Waiter} waiter */
  remove(waiter) {
    const i = this.queue.indexOf(waiter);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** @private @param {ShedError["reason"]} reason */
  shed(reason) {
    this.totals.shed++;
    this.totals.shedByReason[reason] = (this.totals.shedByReason[reason] ?? 0) + 1;
    return new ShedError(reason);
  }
}

/**
 * Requests that skip the gate whoever sends them: probes and metrics (they must answer while the app is
 * saturated), and static files (cheap, and a page is useless without them).
 * @param {{ url?: string }} req
 */
export function bypassesGate(req) {
  const path = pathOf(req);
  return path === "/api/health" || path === "/api/health/live" || path === "/api/metrics" || path.startsWith("/_next/static/") || path === "/favicon.ico";
}

const USERS_ROUTE = /^\/api\/divisions\/[0-9A-Fa-f-]{36}\/users$/;

/**
 * The users route's NDJSON progress stream, which stays open for the whole of a cold fetch while doing almost
 * nothing and would hold a slot for minutes. It may skip the gate, but only this route and only for a
 * signed-in session (server/index.mjs checks the session cookie): a header alone lets nothing past.
 * @param {{ url?: string, method?: string, headers: Record<string, string | string[] | undefined> }} req
 */
export function isProgressStream(req) {
  const accept = req.headers.accept;
  const method = req.method ?? "GET";
  // GET reads the division; POST is the same stream for a forced refresh.
  return (method === "GET" || method === "POST") && USERS_ROUTE.test(pathOf(req)) && typeof accept === "string" && accept.includes("application/x-ndjson");
}

/** @param {{ url?: string }} req */
function pathOf(req) {
  return (req.url ?? "/").split("?")[0] ?? "/";
}

/**
 * One admitted request's hold on the gate. `suspend` and `resume` bracket a wait on I/O (they nest: the slot
 * is given back at the first suspend and taken again at the last resume); `finish` ends the request.
 */
export class Slot {
  /** @param {AdmissionGate} gate @param {() => void} release */
  constructor(gate, release) {
    this.gate = gate;
    /** @type {(() => void) | null} */
    this.release = release;
    this.waits = 0;
    this.finished = false;
  }

  suspend() {
    if (this.finished || this.waits++ > 0) return;
    this.gate.suspended++;
    this.release?.();
    this.release = null;
  }

  resume() {
    if (this.finished || this.waits === 0 || --this.waits > 0) return;
    this.gate.suspended--;
    this.release = this.gate.reenter();
  }

  finish() {
    if (this.finished) return;
    this.finished = true;
    if (this.waits > 0) this.gate.suspended--;
    this.release?.();
    this.release = null;
  }
}
