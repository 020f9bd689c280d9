// Shared helpers and fixtures for the browser specs: sign-in through the emulator's real login page,
// per-account sessions, emulator control, grid and CSV readers, axe checks and screenshots.
import fs from "node:fs";
import path from "node:path";

import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Browser, type BrowserContext, type Download, type Page } from "@playwright/test";

import { DEMO } from "../../emulator/seed";

import { SCREENSHOT_DIR, stackUrls } from "./env";

export { expect };
export { DEMO };

export type AccountKey = keyof typeof DEMO.staff;
export const DIVISIONS = DEMO.divisions;

type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;

/** Signs in on `page` from wherever it is now (or /signin) through the emulator's login page. */
export async function signIn(page: Page, who: AccountKey, options: { startAt?: string } = {}): Promise<void> {
  const { app, emulator } = stackUrls();
  await page.goto(options.startAt ?? "/signin");
  await expect(page).toHaveURL(/\/signin\?|\/signin$/);
  await page.getByRole("button", { name: "Sign in with Genesys Cloud" }).click();
  await page.waitForURL((u) => u.origin === new URL(emulator).origin && u.pathname === "/oauth/authorize");
  await page.getByLabel("Email").fill(DEMO.staff[who].email);
  await page.getByLabel("Password").fill(DEMO.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((u) => u.origin === app && !u.pathname.startsWith("/api/auth") && u.pathname !== "/signin");
}

async function newSignedInState(browser: Browser, who: AccountKey): Promise<StorageState> {
  const context = await browser.newContext({ baseURL: stackUrls().app });
  try {
    const page = await context.newPage();
    await signIn(page, who);
    return await context.storageState();
  } finally {
    await context.close();
  }
}

interface Fixtures {
  /** A fresh page (own context) signed in as `who`; the session is made once per worker via the real login page. */
  as: (who: AccountKey) => Promise<Page>;
}

interface WorkerFixtures {
  sessions: Map<AccountKey, Promise<StorageState>>;
}

export const test = base.extend<Fixtures, WorkerFixtures>({
  sessions: [
    async ({}, provide) => {
      await provide(new Map());
    },
    { scope: "worker" },
  ],
  // (`provide` is Playwright's `use`; renamed so the React hooks lint rule does not mistake it for React's.)
  as: async ({ browser, sessions }, provide) => {
    const contexts: BrowserContext[] = [];
    await provide(async (who) => {
      let state = sessions.get(who);
      if (!state) {
        state = newSignedInState(browser, who);
        sessions.set(who, state);
      }
      const context = await browser.newContext({ baseURL: stackUrls().app, storageState: await state });
      contexts.push(context);
      return context.newPage();
    });
    for (const c of contexts) await c.close();
  },
});

// ---------------------------------------------------------------------------------------------
// Emulator control (test-only routes of the emulator)

export async function setFaults(faults: Record<string, unknown> | boolean): Promise<void> {
  const res = await fetch(`${stackUrls().emulator}/__emulator/faults`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(faults),
  });
  expect(res.status, "PUT /__emulator/faults").toBe(200);
}

/** Ground truth: the ids of a division's members in the emulator's directory. */
export async function groundTruthIds(divisionId: string): Promise<string[]> {
  const res = await fetch(`${stackUrls().emulator}/__emulator/divisions/${divisionId}/user-ids`);
  expect(res.status).toBe(200);
  return (await res.json()) as string[];
}

// ---------------------------------------------------------------------------------------------
// The division page's grid

export interface GridRow {
  id: string;
  name: string;
  email: string;
  title: string;
  department: string;
  state: string;
}

/** "23 of 37 users" → { shown: 23, total: 37 } once the users have loaded. */
export async function rowCount(page: Page): Promise<{ shown: number; total: number }> {
  const counter = page.getByTestId("row-count");
  await expect(counter).toHaveText(/^[\d,]+ of [\d,]+ users$/);
  const m = /^([\d,]+) of ([\d,]+) users$/.exec((await counter.textContent()) ?? "");
  if (!m?.[1] || !m[2]) throw new Error("unreadable row count");
  return { shown: Number(m[1].replace(/,/g, "")), total: Number(m[2].replace(/,/g, "")) };
}

/** The rows rendered right now (the virtualised grid only renders those in and near view), in grid order. */
export async function renderedRowIds(page: Page): Promise<string[]> {
  return page.locator("[role=grid] [data-user-id]").evaluateAll((els) =>
    els
      .map((e) => ({ i: Number(e.getAttribute("aria-rowindex")), id: e.getAttribute("data-user-id") ?? "" }))
      .sort((a, b) => a.i - b.i)
      .map((r) => r.id),
  );
}

/**
 * Every row of the current view, in order, read by scrolling the virtualised grid from top to bottom
 * (and back). Checks that the number read equals the row counter.
 */
export async function allRows(page: Page): Promise<GridRow[]> {
  const { shown } = await rowCount(page);
  const rows = await page.getByTestId("users-scroll").evaluate(async (el) => {
    const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
    const firstRendered = () => el.querySelector("[data-user-id]")?.getAttribute("aria-rowindex") ?? "";
    // After a scroll, waits (a frame at a time, bounded) until the grid has rendered other rows. The
    // grid renders a scroll's rows in one commit, so a changed first row means the new rows are all there.
    const settle = async (before: string) => {
      for (let f = 0; f < 30; f++) {
        await frame();
        if (firstRendered() !== before) return;
      }
    };
    const seen = new Map<number, { id: string; name: string; email: string; title: string; department: string; state: string }>();
    const read = () => {
      for (const row of el.querySelectorAll("[data-user-id]")) {
        const cells = [...row.querySelectorAll("[role=gridcell]")].map((c) => c.textContent ?? "");
        seen.set(Number(row.getAttribute("aria-rowindex")), {
          id: row.getAttribute("data-user-id") ?? "",
          name: cells[0] ?? "",
          email: cells[1] ?? "",
          title: cells[2] ?? "",
          department: cells[3] ?? "",
          state: cells[4] ?? "",
        });
      }
    };
    if (el.scrollTop !== 0) {
      const before = firstRendered();
      el.scrollTop = 0;
      await settle(before);
    }
    for (let guard = 0; guard < 10_000; guard++) {
      read();
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) break;
      const before = firstRendered();
      // Less than a screen, so consecutive reads overlap (the count check below catches any gap).
      el.scrollTop += Math.max(1, el.clientHeight - 80);
      await settle(before);
    }
    if (el.scrollTop !== 0) {
      const before = firstRendered();
      el.scrollTop = 0;
      await settle(before);
    }
    return [...seen].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
  });
  expect(rows, "rows read by scrolling the grid vs the row counter").toHaveLength(shown);
  return rows;
}

/** Opens a division page and waits for its users. */
export async function openDivision(page: Page, divisionId: string, query = ""): Promise<void> {
  await page.goto(`/divisions/${divisionId}${query}`);
  await expect(page.getByRole("grid")).toBeVisible({ timeout: 30_000 });
}

// ---------------------------------------------------------------------------------------------
// CSV

/** RFC 4180 parser (quoted cells, doubled quotes, CRLF); strips a UTF-8 BOM. */
export function parseCsv(text: string): string[][] {
  const s = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && s[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else if (ch === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** Undoes the export's spreadsheet-formula guard (a `'` before =, +, -, @, tab or CR). */
export function unguard(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

export interface CsvExport {
  fileName: string;
  header: string[];
  records: Record<string, string>[];
}

export async function readDownload(download: Download): Promise<CsvExport> {
  const file = await download.path();
  const [header = [], ...body] = parseCsv(fs.readFileSync(file, "utf8"));
  return {
    fileName: download.suggestedFilename(),
    header,
    records: body.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""]))),
  };
}

/** Clicks "Export CSV" and parses the download. */
export async function exportCsv(page: Page): Promise<CsvExport> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  return readDownload(download);
}

// ---------------------------------------------------------------------------------------------
// Quality bars: accessibility, screenshots, figures

/** Runs axe on the page as it is; logs every violation and fails on serious or critical ones. */
export async function expectNoSeriousA11yViolations(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => `${v.id} (${v.impact ?? "?"}, ${v.nodes.length} node${v.nodes.length === 1 ? "" : "s"})`);
  figure(`axe ${label}`, summary.length ? summary.join("; ") : `0 violations (${results.passes.length} rules passed)`);
  const serious = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
  expect(serious, `serious/critical axe violations on ${label}`).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  await test.info().attach(name, { path: file, contentType: "image/png" });
}

/** A measured figure for the closing note: printed, attached to the test and kept in test-results/e2e-figures.json. */
export function figure(name: string, value: string | number): void {
  console.log(`[figure] ${name}: ${value}`);
  test.info().annotations.push({ type: "figure", description: `${name}: ${value}` });
  const file = path.join(SCREENSHOT_DIR, "..", "e2e-figures.json");
  let all: Record<string, string | number> = {};
  try {
    all = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string | number>;
  } catch {
    // first figure
  }
  all[name] = value;
  fs.writeFileSync(file, JSON.stringify(all, null, 2));
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}
