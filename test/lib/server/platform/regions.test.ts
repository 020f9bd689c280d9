import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REGION_HOSTNAMES, REGION_KEYS, REGIONS, describeRegionChoices, resolveRegion } from "@/lib/server/platform/regions";

// Read the SDK's table as text: it is an ES module inside a CommonJS package, so importing it is brittle.
function readSdkRegionTable(): Array<[string, string]> {
  const file = path.resolve(
    __dirname,
    "../../../../node_modules/purecloud-platform-client-v2/src/purecloud-platform-client-v2/PureCloudRegionHosts.js",
  );
  const source = fs.readFileSync(file, "utf8");
  return [...source.matchAll(/^\s*([a-z0-9_]+):\s*'([^']+)'/gm)].map((m) => [m[1] ?? "", m[2] ?? ""]);
}

describe("region table", () => {
  it("matches the SDK's PureCloudRegionHosts.js exactly (18 regions, same order)", () => {
    const sdk = readSdkRegionTable();
    expect(sdk).toHaveLength(18);
    expect(REGIONS.map((r) => [r.key.replace(/-/g, "_"), r.host])).toEqual(sdk);
  });

  it("derives login and api base URLs from the host", () => {
    for (const region of REGIONS) {
      expect(region.loginBaseUrl).toBe(`https://login.${region.host}`);
      expect(region.apiBaseUrl).toBe(`https://api.${region.host}`);
    }
  });

  it("exports the valid choices", () => {
    expect(REGION_KEYS).toContain("eusc-de-east-1");
    expect(REGION_HOSTNAMES).toContain("edee1.eusc-pure.cloud");
    expect(describeRegionChoices()).toMatch(/^use one of us-east-1, eu-west-1, .*eusc-de-east-1 or an environment host such as mypurecloud\.com$/);
  });

  it("regions are immutable", () => {
    expect(Object.isFrozen(REGIONS)).toBe(true);
    expect(Object.isFrozen(REGIONS[0])).toBe(true);
  });
});

describe("resolveRegion", () => {
  const usEast1 = {
    key: "us-east-1",
    host: "mypurecloud.com",
    loginBaseUrl: "https://login.mypurecloud.com",
    apiBaseUrl: "https://api.mypurecloud.com",
  };

  it.each([
    "us-east-1",
    "US-EAST-1",
    "us_east_1",
    "  us-east-1  ",
    "mypurecloud.com",
    "MyPureCloud.com",
    "https://mypurecloud.com",
    "https://api.mypurecloud.com/",
    "https://login.mypurecloud.com//",
    "api.mypurecloud.com",
    "login.mypurecloud.com",
    "http://api.mypurecloud.com",
  ])("resolves %j to us-east-1", (input) => {
    expect(resolveRegion(input)).toEqual(usEast1);
  });

  it.each([
    ["us-west-2", "us-west-2"],
    ["usw2.pure.cloud", "us-west-2"],
    ["eu_west_1", "eu-west-1"],
    ["mypurecloud.ie", "eu-west-1"],
    ["mypurecloud.com.au", "ap-southeast-2"],
    ["https://api.use2.us-gov-pure.cloud", "us-east-2"],
    ["EUSC_DE_EAST_1", "eusc-de-east-1"],
    ["edee1.eusc-pure.cloud", "eusc-de-east-1"],
  ])("resolves %j to %s", (input, key) => {
    expect(resolveRegion(input)?.key).toBe(key);
  });

  it.each([
    "",
    "   ",
    "mars-1",
    "us-east",
    "us-east-1a",
    "example.com",
    "pure.cloud",
    "apps.mypurecloud.com",
    "https://mypurecloud.com/api/v2",
    "ftp://mypurecloud.com",
    "us-east-1.mypurecloud.com",
  ])("rejects %j", (input) => {
    expect(resolveRegion(input)).toBeUndefined();
  });
});
