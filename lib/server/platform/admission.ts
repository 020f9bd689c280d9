import "server-only";

// The admission gate (server/index.mjs) gives each request a slot for using the CPU. Code that is about to
// wait on Genesys gives it back for the wait, so that a slow upstream holds up nobody but its own request.
// Outside `npm start` (tests, the export CLI, `next dev`) there is no slot and this only awaits.

interface Slot {
  suspend(): void;
  resume(): void;
}

interface SlotStorage {
  getStore(): Slot | undefined;
}

function currentSlot(): Slot | undefined {
  return (globalThis as Record<symbol, SlotStorage | undefined>)[Symbol.for("tenantscope.admission-slots")]?.getStore();
}

/** Awaits `wait` without holding this request's admission slot; holds one again once it settles. */
export async function awaitWithoutSlot<T>(wait: Promise<T>): Promise<T> {
  const slot = currentSlot();
  if (!slot) return wait;
  slot.suspend();
  try {
    return await wait;
  } finally {
    slot.resume();
  }
}

/**
 * True once `npm start` has begun its graceful shutdown (SIGTERM/SIGINT, server/index.mjs): readiness then
 * answers 503 so that a load balancer stops sending new requests while those in progress finish.
 */
export function isDraining(): boolean {
  return (globalThis as Record<symbol, { draining: boolean } | undefined>)[Symbol.for("tenantscope.shutdown")]?.draining === true;
}
