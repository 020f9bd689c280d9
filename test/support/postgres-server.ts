// A real PostgreSQL server (Debian's `postgresql` package) under a temporary data directory, on a free
// loopback port, for the audit store's tests. initdb and postgres refuse to run as root: as root they run as
// the package's `postgres` user (or `nobody`), the data directory handed over to it. fsync is off: a test
// server's durability across an OS crash is not under test, its restarts are (a fast shutdown still writes
// everything out).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import pg from "pg";

import { freePort } from "./free-port";

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication, loopback only). */
  url: string;
  port: number;
  /** A URL for a new, empty database of that name. */
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown (SIGINT), as an operator's restart; the data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and removes the data directory. */
  destroy(): Promise<void>;
}

/** The directory of initdb and postgres: Debian keeps them off PATH, under /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb"))) : [];
  majors.sort((a, b) => Number(b) - Number(a));
  if (majors[0]) return path.join(root, majors[0], "bin");
  const config = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  const dir = config.status === 0 ? config.stdout.trim() : "";
  if (dir && fs.existsSync(path.join(dir, "initdb"))) return dir;
  throw new Error("PostgreSQL is not installed: apt-get install postgresql (initdb not found under /usr/lib/postgresql/*/bin)");
}

/** As root: the account the server runs as. Otherwise: undefined (run as ourselves). */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ["postgres", "nobody"]) {
    const uid = spawnSync("id", ["-u", name], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
    if (uid.status === 0 && gid.status === 0) return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  throw new Error("running as root, and neither a postgres nor a nobody account exists to run PostgreSQL as");
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const account = serverAccount();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantscope-pg-"));
  const data = path.join(dir, "data");
  if (account) fs.chownSync(dir, account.uid, account.gid);
  const as = { cwd: dir, ...(account ?? {}), env: { ...process.env, LC_ALL: "C", LANG: "C" } };
  const init = spawnSync(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], { ...as, encoding: "utf8" });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | null = null;
  const settings = ["listen_addresses=127.0.0.1", `unix_socket_directories=${dir}`, "fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=100", "log_min_messages=fatal"];
  const launch = async () => {
    const c = spawn(path.join(bin, "postgres"), ["-D", data, "-p", String(port), ...settings.flatMap((s) => ["-c", s])], { ...as, stdio: ["ignore", "ignore", "ignore"] });
    child = c;
    const deadline = Date.now() + 20_000;
    while (!(await answers(url))) {
      if (c.exitCode !== null) throw new Error(`postgres exited with ${c.exitCode} (port ${port})`);
      if (Date.now() > deadline) throw new Error("postgres: not answering within 20 s");
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const c = child;
    if (!c) return;
    child = null;
    c.kill("SIGINT");
    await exited(c);
  };
  const onExit = () => {
    (child as ChildProcess | null)?.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);
  await launch();
  return {
    url,
    port,
    async createDatabase(name) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${name.replace(/"/g, "")}"`);
      } finally {
        await admin.end();
      }
      return url.replace(/\/postgres$/, `/${name}`);
    },
    stop,
    start: launch,
    async destroy() {
      await stop();
      process.removeListener("exit", onExit);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
