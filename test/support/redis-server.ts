// A real redis-server (Debian's package) on a free loopback port, for the shared-state tests. No disk:
// nothing is saved, so a restart starts empty, as a lost Redis would.
import { spawn, type ChildProcess } from "node:child_process";
import { Socket } from "node:net";

import { freePort } from "./free-port";

export interface RedisServer {
  url: string;
  port: number;
  /** SIGKILL, as a crashed or unreachable Redis. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
    socket.once("data", (d) => done(d.toString().startsWith("+PONG")));
  });
}

function launch(port: number): ChildProcess {
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  child.once("error", (e) => {
    throw new Error(`could not start redis-server (apt-get install redis-server): ${e.message}`);
  });
  return child;
}

async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`redis-server: ${what} within 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  let child = launch(port);
  await waitUntil(() => ping(port), "not answering");
  const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once("exit", () => resolve())));
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async kill() {
      child.kill("SIGKILL");
      await exited(child);
    },
    async restart() {
      child = launch(port);
      await waitUntil(() => ping(port), "not answering after restart");
    },
    async stop() {
      child.kill("SIGTERM");
      await exited(child);
    },
  };
}
