import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { RevocationStore } from "@/lib/server/auth/revocation-store";

const dirs: string[] = [];
const open: RevocationStore[] = [];

function dbFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "revocations-test-"));
  dirs.push(dir);
  return path.join(dir, "nested", "sessions.sqlite");
}

function store(file: string, now: () => number = Date.now): RevocationStore {
  const s = new RevocationStore(file, now);
  open.push(s);
  return s;
}

afterEach(() => {
  for (const s of open.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("RevocationStore", () => {
  it("remembers a sign-out until the session would have ended, and only that one", () => {
    let now = 1_000_000;
    const s = store(dbFile(), () => now);
    s.add("sid-a", now + 60_000);
    expect(s.has("sid-a")).toBe(true);
    expect(s.has("sid-b")).toBe(false);
    now += 60_000;
    expect(s.has("sid-a")).toBe(false);
  });

  it("keeps sign-outs across a reopen of the file (a restart) and shares them with another process's handle", () => {
    const file = dbFile();
    const first = store(file);
    first.add("sid-a", Date.now() + 60_000);
    const other = store(file);
    expect(other.has("sid-a")).toBe(true);
    first.close();
    open.splice(open.indexOf(first), 1);
    expect(store(file).has("sid-a")).toBe(true);
  });

  it("a second sign-out of the same id keeps the later end", () => {
    let now = 0;
    const s = store(dbFile(), () => now);
    s.add("sid-a", 100_000);
    s.add("sid-a", 50_000);
    now = 75_000;
    expect(s.has("sid-a")).toBe(true);
  });

  it("purges only the entries whose session has ended", () => {
    let now = 0;
    const s = store(dbFile(), () => now);
    s.add("ended", 10_000);
    s.add("live", 20_000);
    now = 10_000;
    expect(s.purgeExpired()).toBe(1);
    expect(s.purgeExpired()).toBe(0);
    expect(s.has("live")).toBe(true);
  });
});
