import "server-only";

import { randomUUID } from "node:crypto";

import { sharedScript, type SharedStore } from "@/lib/server/shared-state";

import type { Grant, RequestBudget, SlidingWindowBudget, TakeResult } from "./request-limiter";

// Genesys' 300 requests/minute is per token, and all instances share one token: so they share one sliding
// window of grants in Redis (a sorted set, Redis' own clock for all). As in request-limiter.ts, a grant counts
// until one window after its answer: taken, it is scored at the latest its answer can come (a crashed instance
// settles nothing, and its grants must still leave); settled, at the moment the answer came. A 429's
// Retry-After pauses every instance. When Redis is unavailable, this process's own window stands in; it has
// counted every grant this process took, so it goes on from what the process spent (other instances' grants
// are then unknown: Genesys' 429s, honoured with their Retry-After, remain the last line).

// KEYS: window, pause · ARGV: ceiling, windowMs, member, inFlightMs → 0 = granted, else ms to wait.
const TAKE = sharedScript(`
local pause = redis.call('PTTL', KEYS[2])
if pause > 0 then return pause end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
local ceiling = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < ceiling then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window + tonumber(ARGV[4]))
  return 0
end
local leaving = redis.call('ZRANGE', KEYS[1], count - ceiling, count - ceiling, 'WITHSCORES')
return math.max(1, tonumber(leaving[2]) + window - now)
`);

// KEYS: window · ARGV: member, windowMs, inFlightMs. Only ever earlier; a grant that outlived its bound (a slow
// token login before the send) and was dropped counts again from its answer.
const SETTLE = sharedScript(`
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if not score or now < tonumber(score) then redis.call('ZADD', KEYS[1], now, ARGV[1]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + tonumber(ARGV[3]))
return 0
`);

// KEYS: pause · ARGV: ms. Only lengthens a pause.
const PAUSE = sharedScript(`
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 0
`);

export class SharedBudget implements RequestBudget {
  private readonly member = randomUUID();
  private seq = 0;

  constructor(
    private readonly store: SharedStore,
    private readonly keys: { window: string; pause: string },
    readonly perMinute: number,
    private readonly local: SlidingWindowBudget,
    /** The longest a request can be in flight (the transport's timeout): an unsettled grant's score. */
    private readonly inFlightMs: number,
    private readonly windowMs = 60_000,
  ) {}

  pause(ms: number): void {
    if (ms <= 0) return;
    void this.store.use("budget.pause", (redis) => this.store.script(redis, PAUSE, [this.keys.pause], [Math.ceil(ms)]), () => undefined);
  }

  async tryTake(ceiling: number): Promise<TakeResult> {
    const member = `${this.member}:${this.seq++}`;
    const wait = await this.store.use(
      "budget.take",
      async (redis) => Number(await this.store.script(redis, TAKE, [this.keys.window, this.keys.pause], [ceiling, this.windowMs, member, this.inFlightMs])),
      () => null,
    );
    if (wait === null) return this.local.tryTake(ceiling);
    if (wait > 0) return { waitMs: wait };
    const local = this.local.record();
    return { grant: this.grant(member, local) };
  }

  private grant(member: string, local: Grant): Grant {
    return {
      settle: () => {
        local.settle();
        void this.store.use("budget.settle", (redis) => this.store.script(redis, SETTLE, [this.keys.window], [member, this.windowMs, this.inFlightMs]), () => undefined);
      },
    };
  }
}
