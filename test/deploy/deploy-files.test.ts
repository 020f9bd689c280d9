import fs from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import { SERVER_SETTING_VARIABLES } from "@/lib/config/server-settings.mjs";
import { AUTH_ENV_VARIABLES, ENV_VARIABLES } from "@/lib/server/platform/env";

// The deployment recipe (compose.yaml, Dockerfile, deploy/Caddyfile, docs/deploy.md) checked against the
// code, so that it cannot drift: every variable it sets is one the app reads, the required ones are set,
// the instances agree where they must, and the probes it names are routes that exist.

const root = path.resolve(__dirname, "../..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");

/** Read by Node or Next themselves, not by our settings. */
const RUNTIME_OWN = ["NODE_ENV", "NEXT_TELEMETRY_DISABLED"];
const KNOWN = new Set([...ENV_VARIABLES, ...AUTH_ENV_VARIABLES, ...SERVER_SETTING_VARIABLES, ...RUNTIME_OWN]);
const REQUIRED = ["GENESYS_CLIENT_ID", "GENESYS_CLIENT_SECRET", "GENESYS_STAFF_CLIENT_ID", "GENESYS_STAFF_CLIENT_SECRET", "NEXTAUTH_SECRET", "NEXTAUTH_URL"];

interface Service {
  image?: string;
  build?: { target?: string };
  environment?: Record<string, string>;
  volumes?: string[];
  profiles?: string[];
  depends_on?: Record<string, unknown> | string[];
}

const compose = parse(read("compose.yaml"), { merge: true }) as { services: Record<string, Service> };
const APPS = ["app1", "app2"] as const;
const app = (name: (typeof APPS)[number]) => compose.services[name] as Service;

/** A route file for this path under app/ (probes must hit real routes). */
function routeExists(urlPath: string): boolean {
  return fs.existsSync(path.join(root, "app", ...urlPath.split("/").filter(Boolean), "route.ts"));
}

describe("compose.yaml", () => {
  it("runs two app instances, Redis, PostgreSQL and a proxy; the emulator only in the demo profile", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["app1", "app2", "emulator", "postgres", "proxy", "redis"]);
    expect(compose.services.emulator?.profiles).toEqual(["demo"]);
    for (const name of APPS) expect(app(name).build?.target).toBe("runtime");
  });

  it("sets only variables the app reads, and every required one", () => {
    for (const name of APPS) {
      const keys = Object.keys(app(name).environment ?? {});
      expect(keys.filter((k) => !KNOWN.has(k))).toEqual([]);
      expect(REQUIRED.filter((k) => !keys.includes(k))).toEqual([]);
    }
  });

  it("gives both instances the same settings, Redis and PostgreSQL of its own services, and their own data volume", () => {
    expect(app("app1").environment).toEqual(app("app2").environment);
    const env = app("app1").environment ?? {};
    expect(new URL(env.REDIS_URL ?? "").hostname).toBe("redis");
    expect(env.AUDIT_DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
    // Docker sets HOSTNAME to the container id; the server would bind to it.
    expect(env.HOSTNAME).toBe("0.0.0.0");
    expect(app("app1").volumes).not.toEqual(app("app2").volumes);
    for (const name of APPS) expect(Object.keys(app(name).depends_on ?? {}).sort()).toEqual(["postgres", "redis"]);
  });

  it("every variable is documented in docs/deploy.md", () => {
    const doc = read("docs/deploy.md");
    const variables = new Set([...Object.keys(app("app1").environment ?? {}), ...Object.keys(compose.services.postgres?.environment ?? {})]);
    expect([...variables].filter((v) => !doc.includes(`\`${v}\``))).toEqual([]);
  });
});

describe("deploy/Caddyfile", () => {
  const caddy = read("deploy/Caddyfile");

  it("balances over exactly the app services, checking readiness on a real route", () => {
    const upstreams = /reverse_proxy\s+([^{]+)\{/.exec(caddy)?.[1]?.trim().split(/\s+/);
    expect(upstreams).toEqual(APPS.map((n) => `${n}:3000`));
    const health = /health_uri\s+(\S+)/.exec(caddy)?.[1] ?? "";
    expect(routeExists(health)).toBe(true);
    expect(caddy).toMatch(/flush_interval -1/);
  });
});

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");
  const runtime = dockerfile.slice(dockerfile.indexOf("AS runtime"), dockerfile.indexOf("AS emulator"));

  it("builds in stages and runs as a non-root user without dev dependencies", () => {
    expect(dockerfile.match(/^FROM .* AS (\S+)$/gm)?.map((l) => l.split(" AS ")[1])).toEqual(["deps", "build", "prod-deps", "runtime", "emulator"]);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^STOPSIGNAL SIGTERM$/m);
    expect(runtime).not.toMatch(/apt-get|g\+\+/);
  });

  it("probes liveness on a real route and sets only known variables", () => {
    const probe = /HEALTHCHECK[\s\S]*?(\/api\/health\/\w+)/.exec(runtime)?.[1] ?? "";
    expect(probe).toBe("/api/health/live");
    expect(routeExists(probe)).toBe(true);
    const env = /^ENV ([\s\S]*?)\nWORKDIR/m.exec(runtime)?.[1] ?? "";
    const names = [...env.matchAll(/([A-Z_]+)=/g)].map((m) => m[1] ?? "");
    expect(names.length).toBeGreaterThan(3);
    expect(names.filter((n) => !KNOWN.has(n))).toEqual([]);
  });

  it("copies what `npm start` loads", () => {
    const start = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts.start;
    expect(start).toBe("node server/index.mjs");
    for (const needed of ["./.next", "./server", "./lib/config", "./node_modules", "next.config.js"]) expect(runtime).toContain(needed);
  });
});
