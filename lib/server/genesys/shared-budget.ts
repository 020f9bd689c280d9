import "server-only";

import { randomUUID } from "node:crypto";

import { sharedScript, type SharedStore } from "@/lib/server/shared-state";

import { abortError, FifoBudget, sleep, type SlidingWindowBudget } from "./request-limiter";

// Genesys' 300 requests/minute is per token, and all instances share one token: so they share one sliding
// window of grants in Redis (a sorted set of grant times, Redis' own clock for all). A 429's Retry-After
// pauses every instance. When Redis is unavailable, this process's own window stands in; it has counted
// every grant this process took, so it goes on from what the process spent (other instances' grants are
// then unknown: Genesys' 429s, honoured with their Retry-After, remain the last line).

// KEYS: window, pause · ARGV: limit, windowMs, member → 0 = granted, else ms to wait.
const TAKE = sharedScript(`
local pause = redis.call('PTTL', KEYS[2])
if pause > 0 then return pause end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
`);

// KEYS: pause · ARGV: ms. Only lengthens a pause.
const PAUSE = sharedScript(`
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 0
`);

export class SharedBudget extends FifoBudget {
  private readonly member = randomUUID();
  private seq = 0;

  constructor(
    private readonly store: SharedStore,
    private readonly keys: { window: string; pause: string },
    private readonly perMinute: number,
    private readonly local: SlidingWindowBudget,
    private readonly windowMs = 60_000,
  ) {
    super();
  }

  pause(ms: number): void {
    if (ms <= 0) return;
    void this.store.use("budget.pause", (redis) => this.store.script(redis, PAUSE, [this.keys.pause], [Math.ceil(ms)]), () => undefined);
  }

  protected async waitForRoom(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const wait = await this.store.use(
        "budget.take",
        async (redis) => Number(await this.store.script(redis, TAKE, [this.keys.window, this.keys.pause], [this.perMinute, this.windowMs, `${this.member}:${this.seq++}`])),
        () => null,
      );
      if (wait === null) return this.local.take(signal);
      if (wait === 0) {
        this.local.record();
        return;
      }
      await sleep(wait, signal);
    }
  }
}
