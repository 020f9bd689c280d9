// @ts-check
// A Node server saturated by the connections it has already accepted is slow to accept new ones: measured on
// Node 20 here, a bare server spending 3 ms per request took ~100 of 200 connections opened at once in its first
// second, then 3-4 more a second, while serving the others at full speed; the accept queue of `npm start`'s
// listen socket held ~100 for seconds. 60-130 of 200 new connections had their first answer only when the
// others stopped, 8 s later, and `npm run load` counted them as 10 s timeouts. Each turn of the event loop ran
// every request that was ready, so it lasted hundreds of milliseconds, and new connections were taken in
// between turns.
//
// So while connections are arriving, requests start one per turn, which keeps the turns short and lets the
// next connection in (the same bare server: 0 of 200 waiting, same throughput); otherwise they start at once.
// Starting every request one per turn, arrivals or not, cost a third of the warm JSON route's throughput
// (server CPU 2.7 → 4.1-4.4 ms a request, `npm run load -- --only json`).

/** How long after a connection is accepted more are taken to be waiting. */
const ARRIVING_MS = 50;

/**
 * Runs tasks in arrival order: at once, or one per turn of the event loop while connections arrive (and then
 * the rest together). Bounded by the open connections: an HTTP/1.1 client has one request at a time on each.
 */
export class TurnQueue {
  /** @type {Array<() => void>} */
  #tasks = [];
  #head = 0;
  #scheduled = false;
  #lastConnection = -Infinity;
  #now;
  #onError;

  /** @param {{ now?: () => number, onError?: (error: unknown) => void }} [options] */
  constructor(options = {}) {
    this.#now = options.now ?? (() => performance.now());
    this.#onError = options.onError ?? ((error) => queueMicrotask(() => { throw error; }));
  }

  /** A connection was accepted: others may be waiting behind it. */
  connected() {
    this.#lastConnection = this.#now();
  }

  /** @param {() => void} task */
  run(task) {
    if (this.size === 0 && !this.#arriving()) {
      this.#start(task);
      return;
    }
    this.#tasks.push(task);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#next);
    }
  }

  get size() {
    return this.#tasks.length - this.#head;
  }

  #next = () => {
    // Connections still arriving: one task this turn. Otherwise all that are waiting (one per turn would keep
    // a busy server in short turns for good: clients send their next request as soon as one is answered).
    const batch = this.#tasks.slice(this.#head, this.#head + (this.#arriving() ? 1 : this.size));
    this.#head += batch.length;
    // Compact now and then rather than shift() every time (O(n) on a long queue).
    if (this.#head > 1024 && this.#head * 2 > this.#tasks.length) {
      this.#tasks = this.#tasks.slice(this.#head);
      this.#head = 0;
    }
    // Scheduled before the tasks run: one that throws must not stop the queue.
    if (this.size > 0) setImmediate(this.#next);
    else this.#scheduled = false;
    for (const task of batch) this.#start(task);
  };

  /** @param {() => void} task */
  #start(task) {
    try {
      task();
    } catch (error) {
      this.#onError(error);
    }
  }

  #arriving() {
    return this.#now() - this.#lastConnection <= ARRIVING_MS;
  }
}
