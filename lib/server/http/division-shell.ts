import "server-only";

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";

// The division page's prerendered shell (app/(shell)/division-shell): the proxy serves it, under the page's
// own address, to a person it has let through; the page rendered per request answers everyone else. Next
// serves the HTML it wrote at build time byte for byte, so the hashes of that file's inline scripts are the
// shell's script policy.

/** Where the shell is prerendered. Not an address of its own: the proxy answers it 404 when asked directly. */
export const DIVISION_SHELL_PATH = "/division-shell";

const PRERENDERED_HTML = path.join(process.cwd(), ".next", "server", "app", "division-shell.html");

/** A script's `'sha256-…'`, as a Content-Security-Policy names it. */
export function scriptHash(body: string): string {
  return `'sha256-${createHash("sha256").update(body, "utf8").digest("base64")}'`;
}

/** The hashes of the inline scripts in `html`. */
export function inlineScriptHashes(html: string): string[] {
  const hashes = new Set<string>();
  for (const [, attributes = "", body = ""] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    if (!/\ssrc\s*=/.test(attributes)) hashes.add(scriptHash(body));
  }
  return [...hashes];
}

let prerendered: readonly string[] | null | undefined;

/** The shell's script hashes, read once; null when it was not prerendered (`next dev` renders it per request). */
export function divisionShellScriptHashes(): readonly string[] | null {
  if (prerendered !== undefined) return prerendered;
  try {
    prerendered = inlineScriptHashes(readFileSync(PRERENDERED_HTML, "utf8"));
  } catch {
    prerendered = null;
  }
  return prerendered;
}
