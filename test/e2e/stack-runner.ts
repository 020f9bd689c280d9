// scripts/stack.ts for the browser suite, plus a watchdog: if the Playwright runner dies without running
// its globalTeardown (killed, SIGPIPE, crash), the stack stops itself instead of keeping the port busy.
//   node --import tsx test/e2e/stack-runner.ts --app-port 3300
import { parseArgs } from "node:util";

import { startStack } from "../../scripts/stack";

const { values } = parseArgs({ options: { "app-port": { type: "string", default: "3300" } } });
const parent = process.ppid;

startStack({ appPort: Number(values["app-port"]) }).then(
  (stack) => {
    console.log(JSON.stringify({ app: stack.appUrl, emulator: stack.emulator.url }));
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      void stack.stop().then(() => process.exit(0));
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    // Orphaned: re-parented (to init or a subreaper) once the runner is gone.
    setInterval(() => {
      if (process.ppid !== parent) stop();
    }, 1_000).unref();
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
