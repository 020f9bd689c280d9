// Shared by the realism-knob tests (knobs*.test.ts): one emulator per file, reset with a fresh BFF token before
// each test, knobs set with PUT /__emulator/faults exactly as a client of the emulator would set them.
import { afterAll, beforeAll, beforeEach, expect } from "vitest";

import { DEMO } from "@/emulator/seed";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "@/emulator/server";
import { apiJson, apiRequest, control, fetchToken, isErrorBody, type ErrorBody, type RawResponse, type SearchPage } from "../support/genesys-test-clients";

export interface KnobEnv {
  emu: RunningEmulator;
  url: string;
  /** A BFF (client-credentials) token, fresh for each test. */
  token: string;
}

/** Starts an emulator for the file and resets it (seed, faults, knobs, tokens) before each test. */
export function knobEnv(options: EmulatorOptions = {}): KnobEnv {
  const env = {} as KnobEnv;
  beforeAll(async () => {
    env.emu = await startEmulator({ port: 0, ...options });
    env.url = env.emu.url;
  });
  afterAll(async () => {
    await env.emu?.stop();
  });
  beforeEach(async () => {
    await control(env.url, "POST", "reset");
    env.token = await fetchToken(env.url, DEMO.clients.bff);
  });
  return env;
}

export const setKnobs = (url: string, knobs: Record<string, unknown>) => control<Record<string, unknown>>(url, "PUT", "faults", knobs);

export function errorBodyOf(res: RawResponse): ErrorBody {
  const body: unknown = JSON.parse(res.text);
  if (!isErrorBody(body)) throw new Error(`not an ErrorBody: ${res.text}`);
  // Every error carries the response's correlation id as its contextId, as Genesys does.
  expect(res.headers.get("inin-correlation-id")).toBe(body.contextId);
  return body;
}

/** POST /api/v2/users/search with `body`, parsed. */
export async function searchPage(url: string, token: string, body: Record<string, unknown>): Promise<SearchPage> {
  const res = await apiJson<SearchPage>(url, token, "/api/v2/users/search", { body });
  if (res.status !== 200) throw new Error(`search failed with ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

export const postSearch = (url: string, token: string, body: Record<string, unknown>) => apiRequest(url, token, "/api/v2/users/search", { body });

/** GET /api/v2/users/search?q64=… for a search body, as a nextPage link would carry it. */
export const getSearch = (url: string, token: string, body: Record<string, unknown>) =>
  apiRequest(url, token, `/api/v2/users/search?q64=${encodeURIComponent(Buffer.from(JSON.stringify(body), "utf8").toString("base64"))}`);

export const byDivision = (divisionId: string, extra: Record<string, unknown> = {}) => ({
  pageSize: 100,
  pageNumber: 1,
  query: [{ type: "EXACT", fields: ["divisionId"], values: [divisionId] }],
  ...extra,
});

export const sorted = (ids: Iterable<string>): string[] => [...ids].sort();
