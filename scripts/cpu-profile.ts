// CPU profiles of the app server under load, taken over the inspector protocol (the server runs with
// `--inspect`), one per load target, so that start-up and sign-in stay out of them. Used by `npm run load --
// --profile DIR`; the .cpuprofile files open in Chrome DevTools or speedscope. Node 20 needs
// `NODE_OPTIONS=--experimental-websocket` for the WebSocket client (Node 22 has it built in). Frames in the
// app's bundle are traced back through its source maps to the file (or package) they were bundled from.
import fs from "node:fs";
import { SourceMap } from "node:module";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** One inspector connection to a process started with `--inspect=host:port`. */
export class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener("message", (event) => {
      const msg = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
      const waiter = msg.id !== undefined ? this.pending.get(msg.id) : undefined;
      if (!waiter || msg.id === undefined) return;
      this.pending.delete(msg.id);
      if (msg.error) waiter.reject(new Error(msg.error.message));
      else waiter.resolve(msg.result);
    });
  }

  static async connect(inspectorUrl: string): Promise<Inspector> {
    if (typeof WebSocket === "undefined") throw new Error("--profile needs a WebSocket client: on Node 20 run with NODE_OPTIONS=--experimental-websocket");
    const targets = (await (await fetch(`${inspectorUrl}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
    const target = targets[0];
    if (!target) throw new Error(`no inspector target at ${inspectorUrl}`);
    const socket = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error(`cannot connect to ${target.webSocketDebuggerUrl}`)), { once: true });
    });
    const inspector = new Inspector(socket);
    await inspector.send("Profiler.enable");
    return inspector;
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  async start(): Promise<void> {
    await this.send("Profiler.start");
  }

  async stop(): Promise<CpuProfile> {
    return ((await this.send("Profiler.stop")) as { profile: CpuProfile }).profile;
  }

  close(): void {
    this.socket.close();
  }
}

const sourceMaps = new Map<string, SourceMap | null>();

/** The bundled frame's original file, relative to the project ("lib/server/...", "node_modules/jose/..."). */
function originalSource(url: string, line: number, column: number): string | null {
  const file = url.replace(/^file:\/\//, "");
  let map = sourceMaps.get(file);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, "utf8")) as ConstructorParameters<typeof SourceMap>[0]);
    } catch {
      map = null;
    }
    sourceMaps.set(file, map);
  }
  const entry = map?.findEntry(line, column) as { originalSource?: string } | undefined;
  return entry?.originalSource ? entry.originalSource.replace(/^(\.\.\/)+/, "").replace(/^file:\/\/.*?\/(?=(lib|app|components|node_modules)\/)/, "") : null;
}

/** Where a frame's code comes from: a package, one of the app's files, Node itself, or V8's pseudo-frames. */
export function moduleOf(url: string, functionName: string, line = 0, column = 0): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (url.includes("/.next/")) {
    const source = originalSource(url, line, column);
    if (source) return source.startsWith("node_modules/") ? moduleOf(`/${source}`, functionName) : source;
  }
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0] ?? ""}`;
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "/node_modules/".length).split("/");
    const pkg = rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1] ?? ""}` : (rest[0] ?? "");
    // Next ships its dependencies precompiled inside its own package: name them.
    const compiled = rest.indexOf("compiled");
    return pkg === "next" && compiled >= 0 && rest[compiled + 1] ? `next/compiled/${rest[compiled + 1]}` : pkg;
  }
  const chunk = url.indexOf("/.next/");
  return chunk >= 0 ? `app bundle ${url.slice(chunk + 1).replace(/^\.next\/server\//, "")}` : url.replace(/^file:\/\//, "");
}

const isAppFile = (where: string) => /^(lib|app|components)\//.test(where) || where.includes("/server/");
const isNode = (where: string) => where.startsWith("node:") || where.startsWith("(");

/**
 * Self time per key, largest first. "function" and "module": where the sample was taken. "owner": charged to
 * the nearest of the app's own files on the stack (so a file is charged the library, Node and native work it
 * asked for: session.ts with the JWE decryption, store.ts with SQLite), else to the nearest package.
 */
export function selfTimes(profile: CpuProfile, by: "function" | "module" | "owner"): SelfTime[] {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n.id);
  const whereOf = (n: ProfileNode) => moduleOf(n.callFrame.url, n.callFrame.functionName, n.callFrame.lineNumber, n.callFrame.columnNumber);
  const ownerOf = (id: number): string => {
    let firstPackage: string | undefined;
    for (let cur: number | undefined = id; cur !== undefined; cur = parents.get(cur)) {
      const node = nodes.get(cur);
      if (!node) break;
      const where = whereOf(node);
      if (isAppFile(where)) return where;
      if (!firstPackage && !isNode(where)) firstPackage = where;
    }
    return firstPackage ?? whereOf(nodes.get(id) as ProfileNode);
  };
  const keys = new Map<number, string>();
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    // The delta before a sample is the time attributed to it.
    const us = profile.timeDeltas[i] ?? 0;
    const node = nodes.get(id);
    if (!node) return;
    let key = keys.get(id);
    if (key === undefined) {
      const frame = node.callFrame;
      const where = whereOf(node);
      key = by === "owner" ? ownerOf(id) : by === "module" ? where : `${frame.functionName || "(anonymous)"} ${where}${frame.url.includes("/.next/") ? "" : `:${frame.lineNumber + 1}`}`;
      keys.set(id, key);
    }
    totals.set(key, (totals.get(key) ?? 0) + us);
    all += us;
  });
  return [...totals]
    .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: all ? us / all : 0 }))
    .sort((a, b) => b.ms - a.ms);
}

export function formatTop(rows: SelfTime[], count: number): string {
  return rows
    .slice(0, count)
    .map((r) => `  ${(r.share * 100).toFixed(1).padStart(5)} %  ${String(r.ms).padStart(6)} ms  ${r.name}`)
    .join("\n");
}
