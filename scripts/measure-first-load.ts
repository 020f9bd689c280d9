// Prints the first-load JavaScript of a page (gzip bytes of every script the HTML loads), for the
// dashboard's "division page ≤ 180 kB gzip" budget. Needs a build; starts its own stack.
//   node --import tsx scripts/measure-first-load.ts
import { gzipSync } from "node:zlib";

import { DEMO } from "../emulator/seed";
import { signIn } from "../test/support/http-session";
import { startStack } from "./stack";

export async function firstLoadJs(appUrl: string, path: string, cookie: string): Promise<{ files: number; raw: number; gzip: number }> {
  const html = await (await fetch(`${appUrl}${path}`, { headers: { cookie } })).text();
  // noModule scripts (Next's legacy polyfills) are never fetched by a modern browser, so they do not count.
  const tags = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1] ?? "").filter((attrs) => !/\bnomodule\b/i.test(attrs));
  const srcs = [...new Set(tags.map((attrs) => /src="([^"]+\.js[^"]*)"/.exec(attrs)?.[1] ?? ""))].filter(Boolean);
  let raw = 0;
  let gzip = 0;
  for (const src of srcs) {
    const body = Buffer.from(await (await fetch(new URL(src, appUrl))).arrayBuffer());
    raw += body.length;
    gzip += gzipSync(body, { level: 9 }).length;
  }
  return { files: srcs.length, raw, gzip };
}

async function main(): Promise<void> {
  const stack = await startStack({ appPort: Number(process.env.MEASURE_PORT ?? 3410) });
  try {
    const { jar } = await signIn(stack.appUrl, DEMO.staff.ana.email);
    for (const [name, path] of [
      ["division", `/divisions/${DEMO.divisions.acme}`],
      ["home", "/"],
    ] as const) {
      const r = await firstLoadJs(stack.appUrl, path, jar.header());
      console.log(`${name.padEnd(9)} ${r.files} scripts, ${(r.raw / 1024).toFixed(1)} kB raw, ${(r.gzip / 1024).toFixed(1)} kB gzip`);
    }
  } finally {
    await stack.stop();
  }
}

if (require.main === module) void main();
