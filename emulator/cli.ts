// `npm run emulator -- --port 4010 [--host 127.0.0.1] [--seed 1] [--latency-ms 0] [--rate-limit 300] [faults…] [knobs…]`
// The flags are parsed in cli-args.ts (`--help` lists them).
import { CliUsageError, parseCliArgs, USAGE, type CliArgs } from "./cli-args";
import { startEmulator } from "./server";

function main(): void {
  let args: CliArgs;
  try {
    args = parseCliArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof CliUsageError)) throw e;
    console.error(`${e.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  startEmulator(args.options).then(
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
