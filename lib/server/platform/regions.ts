import "server-only";

// Copied from purecloud-platform-client-v2@262.0.0 PureCloudRegionHosts.js (SDK keys use underscores);
// test/lib/server/regions.test.ts fails if the SDK's table and this one drift apart.
const REGION_HOSTS = {
  "us-east-1": "mypurecloud.com",
  "eu-west-1": "mypurecloud.ie",
  "ap-southeast-2": "mypurecloud.com.au",
  "ap-northeast-1": "mypurecloud.jp",
  "eu-central-1": "mypurecloud.de",
  "us-west-2": "usw2.pure.cloud",
  "ca-central-1": "cac1.pure.cloud",
  "ap-northeast-2": "apne2.pure.cloud",
  "eu-west-2": "euw2.pure.cloud",
  "ap-south-1": "aps1.pure.cloud",
  "us-east-2": "use2.us-gov-pure.cloud",
  "sa-east-1": "sae1.pure.cloud",
  "me-central-1": "mec1.pure.cloud",
  "ap-northeast-3": "apne3.pure.cloud",
  "eu-central-2": "euc2.pure.cloud",
  "mx-central-1": "mxc1.pure.cloud",
  "ap-southeast-1": "apse1.pure.cloud",
  "eusc-de-east-1": "edee1.eusc-pure.cloud",
} as const satisfies Record<string, string>;

export type RegionKey = keyof typeof REGION_HOSTS;

/** e.g. `{ key: "us-east-1", host: "mypurecloud.com", loginBaseUrl: "https://login.mypurecloud.com", apiBaseUrl: "https://api.mypurecloud.com" }` */
export interface Region {
  key: RegionKey;
  host: string;
  loginBaseUrl: string;
  apiBaseUrl: string;
}

function toRegion(key: RegionKey): Region {
  const host = REGION_HOSTS[key];
  return { key, host, loginBaseUrl: `https://login.${host}`, apiBaseUrl: `https://api.${host}` };
}

export const REGIONS: readonly Region[] = Object.freeze(
  (Object.keys(REGION_HOSTS) as RegionKey[]).map((key) => Object.freeze(toRegion(key))),
);

export const REGION_KEYS: readonly RegionKey[] = Object.freeze(REGIONS.map((region) => region.key));

export const REGION_HOSTNAMES: readonly string[] = Object.freeze(REGIONS.map((region) => region.host));

const byKey = new Map<string, Region>(REGIONS.map((region) => [region.key, region]));
const byHost = new Map<string, Region>(REGIONS.map((region) => [region.host, region]));

/**
 * Resolves `us-east-1`, `US_EAST_1`, `mypurecloud.com`, `https://api.usw2.pure.cloud/` … to a region.
 * Returns undefined for anything not in the table (there is no "custom host" escape hatch here:
 * non-Genesys hosts go through GENESYS_GATEWAY_URL instead).
 */
export function resolveRegion(input: string): Region | undefined {
  const text = input.trim().toLowerCase();
  if (text === "") return undefined;

  const asKey = byKey.get(text.replace(/_/g, "-"));
  if (asKey) return asKey;

  // Same stripping as the SDK's setEnvironment(), plus `login.` so a pasted login URL works too.
  const host = text
    .replace(/^https?:\/\//, "")
    .replace(/\/+$/, "")
    .replace(/^(api|login)\./, "");
  return byHost.get(host);
}

export function describeRegionChoices(): string {
  return `use one of ${REGION_KEYS.join(", ")} or an environment host such as ${REGION_HOSTS["us-east-1"]}`;
}
