// The emulator's command line (cli.ts), parsed into startEmulator options. Kept apart from cli.ts, which starts
// the server on import, so that tests can parse flags without spawning a process.
import { parseArgs } from "node:util";

import { applyFaultInput, FaultInputError, NO_FAULTS } from "./faults";
import { KNOB_KEYS } from "./knobs";
import type { EmulatorOptions } from "./server";

export const USAGE = `Usage: npm run emulator -- [options]
  --port N               port to listen on (default 4010; 0 = any free port)
  --host H               interface (default 127.0.0.1)
  --seed N               demo org seed (default 1)
  --latency-ms N         added latency per request (default 0)
  --jitter-ms N          ± random jitter around the latency (default 0)
  --rate-limit N         requests per 60 s per token before 429 (default 300)
  --token-lifetime S     access-token lifetime in seconds for every client (default: per client, 86400)
Faults (same names as PUT /__emulator/faults; a bare flag means "on with defaults"):
  --p429 P  --p5xx P  --timeout-rate P  --malformed-rate P  (probabilities 0..1)
  --leak [N]  --stale-index [N]  --move-during-paging [N]
Realism knobs (same names as PUT /__emulator/faults; kebab-case works too, e.g. --sort-by-id; first value = default):
  --sortById ok|reject|ignore              --startsWithId ok|reject|empty
  --defaultSearchStates active+inactive|active
  --objectCountStates active+inactive|active|all
  --listWindow [true|false]  --searchTypeLimits [true|false]  --exactCaseSensitive [true|false]
  --permittedDivisionsUserOnly [true|false]  (a bare flag means true; default false)`;

/** Thrown for a bad command line; cli.ts prints the message and the usage and exits with code 2. */
export class CliUsageError extends Error {}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const COUNT_FAULTS = { leak: "leak", "stale-index": "staleIndex", "move-during-paging": "moveDuringPaging" } as const;
const PROBABILITY_FAULTS = { p429: "p429", p5xx: "p5xx", "timeout-rate": "timeoutRate", "malformed-rate": "malformedRate" } as const;
const KNOB_FLAGS = KNOB_KEYS.flatMap((key) => [key, kebab(key)]);
const BARE_FLAGS = new Set([...Object.keys(COUNT_FAULTS), ...Object.keys(PROBABILITY_FAULTS), ...KNOB_FLAGS].map((f) => `--${f}`));

/** Lets fault and knob flags stand alone (`--leak`, `--listWindow`) by giving them the value "true". */
function withBareFlags(argv: string[]): string[] {
  return argv.flatMap((arg, i) => (BARE_FLAGS.has(arg) && (argv[i + 1] === undefined || argv[i + 1]?.startsWith("--")) ? [arg, "true"] : [arg]));
}

function int(name: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new CliUsageError(`--${name} must be an integer ≥ ${min}`);
  return n;
}

export type CliArgs = { help: true } | { help: false; options: EmulatorOptions };

export function parseCliArgs(argv: string[]): CliArgs {
  const stringFlags = [...Object.keys(PROBABILITY_FAULTS), ...Object.keys(COUNT_FAULTS), ...KNOB_FLAGS, "token-lifetime"];
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: withBareFlags(argv),
      options: {
        port: { type: "string", default: "4010" },
        host: { type: "string", default: "127.0.0.1" },
        seed: { type: "string", default: "1" },
        "latency-ms": { type: "string", default: "0" },
        "jitter-ms": { type: "string", default: "0" },
        "rate-limit": { type: "string", default: "300" },
        ...Object.fromEntries(stringFlags.map((f) => [f, { type: "string" as const }])),
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (e) {
    throw new CliUsageError(e instanceof Error ? e.message : String(e));
  }
  if (values.help === true) return { help: true };
  const str = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === "string" ? v : undefined;
  };

  const faults: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(PROBABILITY_FAULTS)) {
    const v = str(flag);
    if (v !== undefined) faults[key] = v === "true" ? true : Number(v);
  }
  const settings = { leak: "count", staleIndex: "count", moveDuringPaging: "perRequest" } as const;
  for (const [flag, key] of Object.entries(COUNT_FAULTS)) {
    const v = str(flag);
    if (v !== undefined) faults[key] = v === "true" ? true : { [settings[key]]: Number(v) };
  }
  for (const key of KNOB_KEYS) {
    const [camel, dashed] = [str(key), str(kebab(key))];
    if (camel !== undefined && dashed !== undefined) throw new CliUsageError(`give --${key} or --${kebab(key)}, not both`);
    const v = camel ?? dashed;
    if (v !== undefined) faults[key] = v;
  }
  try {
    applyFaultInput(NO_FAULTS, faults); // refuse bad values here, with the usage, rather than at start-up
  } catch (e) {
    if (e instanceof FaultInputError) throw new CliUsageError(e.message);
    throw e;
  }

  const tokenLifetime = str("token-lifetime");
  return {
    help: false,
    options: {
      port: int("port", str("port") ?? "", 0),
      host: str("host") ?? "127.0.0.1",
      seed: int("seed", str("seed") ?? "", 0),
      latencyMs: int("latency-ms", str("latency-ms") ?? "", 0),
      jitterMs: int("jitter-ms", str("jitter-ms") ?? "", 0),
      rateLimit: int("rate-limit", str("rate-limit") ?? "", 1),
      ...(tokenLifetime ? { tokenLifetimeSeconds: int("token-lifetime", tokenLifetime, 1) } : {}),
      faults,
    },
  };
}
