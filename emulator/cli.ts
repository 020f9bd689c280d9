// `npm run emulator -- --port 4010 [--host 127.0.0.1] [--seed 1] [--latency-ms 0] [--rate-limit 300] [faults…]`
import { parseArgs } from "node:util";

import { startEmulator } from "./server";

const USAGE = `Usage: npm run emulator -- [options]
  --port N               port to listen on (default 4010; 0 = any free port)
  --host H               interface (default 127.0.0.1)
  --seed N               demo org seed (default 1)
  --latency-ms N         added latency per request (default 0)
  --jitter-ms N          ± random jitter around the latency (default 0)
  --rate-limit N         requests per 60 s per token before 429 (default 300)
  --token-lifetime S     access-token lifetime in seconds for every client (default: per client, 86400)
Faults (same names as PUT /__emulator/faults; a bare flag means "on with defaults"):
  --p429 P  --p5xx P  --timeout-rate P  --malformed-rate P  (probabilities 0..1)
  --leak [N]  --stale-index [N]  --move-during-paging [N]`;

const FAULT_FLAGS = new Set(["--p429", "--p5xx", "--timeout-rate", "--malformed-rate", "--leak", "--stale-index", "--move-during-paging"]);

/** Lets fault flags stand alone (`--leak`) by giving them the value "true". */
function withBareFlags(argv: string[]): string[] {
  return argv.flatMap((arg, i) => (FAULT_FLAGS.has(arg) && (argv[i + 1] === undefined || argv[i + 1]?.startsWith("--")) ? [arg, "true"] : [arg]));
}

function main(): void {
  const { values } = parseArgs({
    args: withBareFlags(process.argv.slice(2)),
    options: {
      port: { type: "string", default: "4010" },
      host: { type: "string", default: "127.0.0.1" },
      seed: { type: "string", default: "1" },
      "latency-ms": { type: "string", default: "0" },
      "jitter-ms": { type: "string", default: "0" },
      "rate-limit": { type: "string", default: "300" },
      "token-lifetime": { type: "string" },
      p429: { type: "string" },
      p5xx: { type: "string" },
      "timeout-rate": { type: "string" },
      "malformed-rate": { type: "string" },
      leak: { type: "string" },
      "stale-index": { type: "string" },
      "move-during-paging": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: false,
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const int = (name: string, raw: string, min: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) {
      console.error(`--${name} must be an integer ≥ ${min}\n\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  const faults: Record<string, unknown> = {};
  const prob = (flag: string | undefined, key: string) => {
    if (flag !== undefined) faults[key] = flag === "true" ? true : Number(flag);
  };
  prob(values.p429, "p429");
  prob(values.p5xx, "p5xx");
  prob(values["timeout-rate"], "timeoutRate");
  prob(values["malformed-rate"], "malformedRate");
  const countFault = (flag: string | undefined, key: string, setting: string) => {
    if (flag !== undefined) faults[key] = flag === "true" ? true : { [setting]: Number(flag) };
  };
  countFault(values.leak, "leak", "count");
  countFault(values["stale-index"], "staleIndex", "count");
  countFault(values["move-during-paging"], "moveDuringPaging", "perRequest");

  startEmulator({
    port: int("port", values.port, 0),
    host: values.host,
    seed: int("seed", values.seed, 0),
    latencyMs: int("latency-ms", values["latency-ms"], 0),
    jitterMs: int("jitter-ms", values["jitter-ms"], 0),
    rateLimit: int("rate-limit", values["rate-limit"], 1),
    ...(values["token-lifetime"] ? { tokenLifetimeSeconds: int("token-lifetime", values["token-lifetime"], 1) } : {}),
    faults,
  }).then(
    (emu) => {
      console.log(`listening on ${emu.url}`);
      const stop = () => void emu.stop().then(() => process.exit(0));
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    },
    (e: unknown) => {
      console.error(`emulator: could not start: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}

main();
