// Shared plumbing for the HTTP tests (test/http/**): one emulator + app server stack per file, demo
// sign-ins, requests that carry a cookie jar, the emulator's ground truth of who belongs where, and a scan
// of response bodies for users the caller must not see.
import { DEMO } from "@/emulator/seed";
import { startStack } from "@/scripts/stack";

import { errorOf } from "./bff-bodies";
import { CookieJar, signIn } from "./http-session";

export type Stack = Awaited<ReturnType<typeof startStack>>;

export type Account = "ana" | "ben" | "noAccess" | "admin";
export const ACCOUNTS: readonly Account[] = ["ana", "ben", "noAccess", "admin"];

export type DivisionKey = keyof typeof DEMO.divisions;
export const DIVISION_KEYS = Object.keys(DEMO.divisions) as DivisionKey[];

/** Starts a stack; the caller stops it in afterAll. */
export function startHttpStack(appPort: number, env: Record<string, string> = {}): Promise<Stack> {
  return startStack({ appPort, env });
}

export async function signInAll(appUrl: string): Promise<Record<Account, CookieJar>> {
  const jars = await Promise.all(ACCOUNTS.map((a) => signIn(appUrl, DEMO.staff[a].email).then((s) => s.jar)));
  return Object.fromEntries(ACCOUNTS.map((a, i) => [a, jars[i]])) as Record<Account, CookieJar>;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Cookies to send; the jar also takes any Set-Cookie of the answer. */
  jar?: CookieJar | null;
}

/** One request to the app, redirects not followed. */
export async function send(url: string, options: SendOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  const cookie = options.jar?.header();
  if (cookie) headers.set("cookie", cookie);
  const res = await fetch(url, {
    method: options.method ?? "GET",
    headers,
    ...(options.body !== undefined ? { body: options.body } : {}),
    redirect: "manual",
    signal: AbortSignal.timeout(60_000),
  });
  options.jar?.store(res);
  return res;
}

export interface TextResponse {
  status: number;
  headers: Headers;
  text: string;
}

export async function sendText(url: string, options: SendOptions = {}): Promise<TextResponse> {
  const res = await send(url, options);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/**
 * The code of an error body, checked against the contract's error schema (a drifted error body fails the
 * test); undefined when the body is not JSON or not an error body at all.
 */
export function errorCode(text: string): string | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== "object" || data === null || !("error" in data)) return undefined;
  return errorOf(text).code;
}

// ---- ground truth --------------------------------------------------------------------------------------

export interface GroundTruth {
  /** Member ids per division, from the emulator's directory. */
  members: ReadonlyMap<string, ReadonlySet<string>>;
  /** user id → division id, user email (lower case) → user id. */
  divisionOf: ReadonlyMap<string, string>;
  idOfEmail: ReadonlyMap<string, string>;
}

export async function memberIds(emulatorUrl: string, divisionId: string, state: "any" | "active" | "inactive" = "any"): Promise<string[]> {
  const res = await fetch(`${emulatorUrl}/__emulator/divisions/${divisionId}/user-ids?state=${state}`);
  if (res.status !== 200) throw new Error(`emulator user-ids for ${divisionId} answered ${res.status}`);
  return (await res.json()) as string[];
}

/** Read once per stack, before any test moves users around. */
export async function loadGroundTruth(stack: Stack): Promise<GroundTruth> {
  const members = new Map<string, ReadonlySet<string>>();
  const divisionOf = new Map<string, string>();
  for (const divisionId of Object.values(DEMO.divisions)) {
    const ids = await memberIds(stack.emulator.url, divisionId);
    members.set(divisionId, new Set(ids));
    for (const id of ids) divisionOf.set(id, divisionId);
  }
  const idOfEmail = new Map<string, string>();
  for (const user of stack.emulator.state.users.values()) {
    // Deleted users belong to no division's list (the emulator's user-ids leaves them out, as the app must).
    if (user.state === "deleted") continue;
    if (!divisionOf.has(user.id)) throw new Error(`user ${user.id} is in no listed division`);
    idOfEmail.set(user.email.toLowerCase(), user.id);
  }
  return { members, divisionOf, idOfEmail };
}

/** What each account may see of the directory: managers their granted divisions, admins all but Stark (the BFF cannot read it). */
export const VISIBLE: Record<Account | "signedOut", readonly string[]> = {
  signedOut: [],
  ana: [DEMO.divisions.acme],
  ben: [DEMO.divisions.globex, DEMO.divisions.initech],
  noAccess: [],
  admin: Object.values(DEMO.divisions).filter((id) => id !== DEMO.divisions.stark),
};

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const EMAIL = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

/**
 * Every user id or email in `body` that belongs to a user outside `visible` divisions (empty when clean).
 * Ids and emails are found by pattern, so the scan costs the same however many users the org has.
 */
export function foreignUsersIn(body: string, visible: readonly string[], truth: GroundTruth): string[] {
  const allowed = new Set(visible);
  const found = new Set<string>();
  for (const m of body.matchAll(UUID)) {
    const id = m[0].toLowerCase();
    const division = truth.divisionOf.get(id);
    if (division !== undefined && !allowed.has(division)) found.add(`id ${id} (division ${division})`);
  }
  for (const m of body.matchAll(EMAIL)) {
    const email = m[0].toLowerCase();
    const id = truth.idOfEmail.get(email);
    const division = id === undefined ? undefined : truth.divisionOf.get(id);
    if (division !== undefined && !allowed.has(division)) found.add(`email ${email} (division ${division})`);
  }
  return [...found];
}

/** Operation counts of the emulator, summed over status codes. */
export function operationCount(stack: Stack, operations: readonly string[]): number {
  const { byOperation } = stack.emulator.stats();
  let n = 0;
  for (const op of operations) for (const count of Object.values(byOperation[op] ?? {})) n += count;
  return n;
}

// ---- bodies --------------------------------------------------------------------------------------------

/** RFC 4180: fields separated by commas, records by CRLF, quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let i = text.startsWith("\uFEFF") ? 1 : 0;
  let quoted = false;
  let atFieldStart = true;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
      continue;
    }
    if (ch === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
    } else if (ch === '"') {
      throw new Error(`CSV: stray quote at offset ${i}`);
    } else if (ch === ",") {
      record.push(field);
      field = "";
      atFieldStart = true;
    } else if (ch === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      atFieldStart = true;
      i++;
    } else if (ch === "\n" || ch === "\r") {
      throw new Error(`CSV: bare line break at offset ${i} (records must end with CRLF)`);
    } else {
      field += ch;
      atFieldStart = false;
    }
  }
  if (quoted) throw new Error("CSV: unterminated quoted field");
  if (field !== "" || record.length > 0) throw new Error("CSV: last record lacks its CRLF");
  return records;
}
