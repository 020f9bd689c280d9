// @ts-check
// Node (libuv) accepts at most one new connection per turn of its event loop. When every request that is ready
// starts at once, a turn of a saturated server lasts as long as all of their work, hundreds of milliseconds, and
// a connection opened meanwhile waits seconds before it is even accepted while the open ones go on being served.
// Measured with 200 connections opened at once against `npm start`: 60-130 of them had their first answer only
// when the others stopped, 8 s later (the listen socket's accept queue held ~100); `npm run load` counted them
// as 10 s timeouts. A bare Node server that spends 3 ms per request does the same.
//
// So while connections are arriving, requests start one per turn, which keeps the turns short and lets the
// next connection in; otherwise they start at once. Deferring every request instead cost a third of the warm
// JSON route's throughput (server CPU 2.7 → 4.1-4.4 ms a request, `npm run load -- --only json`).

/** How long after a connection is accepted more are taken to be waiting. */
const ARRIVING_MS = 50;

/** Runs tasks in arrival order: at once, or one per turn of the event loop while connections arrive. */
export class TurnQueue {
  /** @type {Array<() => void>} */
  #tasks = [];
  #head = 0;
  #scheduled = false;
  #lastConnection = -Infinity;

  /** A connection was accepted: others may be waiting behind it. */
  connected() {
    this.#lastConnection = performance.now();
  }

  /** @param {() => void} task */
  run(task) {
    if (this.size === 0 && !this.#arriving()) {
      task();
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
    const count = this.#arriving() ? 1 : this.size;
    for (let i = 0; i < count; i++) {
      const task = this.#tasks[this.#head];
      this.#tasks[this.#head++] = noop;
      task?.();
    }
    // Compact now and then rather than shift() every time (O(n) on a long queue).
    if (this.#head > 1024 && this.#head * 2 > this.#tasks.length) {
      this.#tasks = this.#tasks.slice(this.#head);
      this.#head = 0;
    }
    if (this.size > 0) setImmediate(this.#next);
    else this.#scheduled = false;
  };

  #arriving() {
    return performance.now() - this.#lastConnection <= ARRIVING_MS;
  }
}

function noop() {}
