import { createHash } from "node:crypto";

import { describe, expect, it } from "vitest";

import { inlineScriptHashes, scriptHash } from "@/lib/server/http/division-shell";
import { contentSecurityPolicy, prerenderedContentSecurityPolicy } from "@/lib/server/http/security-headers";
import { divisionIdInPath, EARLY_USERS_SCRIPT } from "@/lib/shared/contract/users-wire";

const sha = (body: string) => `'sha256-${createHash("sha256").update(body, "utf8").digest("base64")}'`;

describe("the division shell's script policy", () => {
  it("hashes each inline script once, exactly as written, and no script file", () => {
    const html =
      '<script src="/_next/static/a.js" async=""></script><script>self.__next_f=[]</script>' +
      '<script id="_R_">self.__next_f.push([1,"é"])</script><script>self.__next_f=[]</script><script nonce="x" src="/b.js"></script>';
    expect(inlineScriptHashes(html)).toEqual([sha("self.__next_f=[]"), sha('self.__next_f.push([1,"é"])')]);
    expect(scriptHash(EARLY_USERS_SCRIPT)).toBe(sha(EARLY_USERS_SCRIPT));
  });

  it("allows this origin's files and the hashed scripts, and nothing inline besides; no 'strict-dynamic', which would refuse the files", () => {
    const csp = prerenderedContentSecurityPolicy(["'sha256-abc='"], { dev: false, loginOrigin: "https://login.example" });
    expect(/script-src ([^;]*)/.exec(csp)?.[1]).toBe("'self' 'sha256-abc='");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self' https://login.example");
    // Pages rendered per request keep the nonce; `next dev`'s shell adds the early script's hash to it.
    expect(/script-src ([^;]*)/.exec(contentSecurityPolicy("n0nce", { dev: false, loginOrigin: "https://l" }, ["'sha256-x='"]))?.[1]).toBe(
      "'self' 'nonce-n0nce' 'strict-dynamic' 'sha256-x='",
    );
  });
});

describe("the early users request", () => {
  it("reads the division from the address as the BFF does, and starts nothing elsewhere", async () => {
    const requests: string[] = [];
    const run = (pathname: string) => {
      const window: Record<string, unknown> = {};
      const fetch = (url: string) => {
        requests.push(url);
        return Promise.reject(new TypeError("offline"));
      };
      new Function("window", "location", "fetch", EARLY_USERS_SCRIPT)(window, { pathname }, fetch);
      return window.__tenantscopeUsersRequests as Record<string, unknown> | undefined;
    };
    expect(Object.keys(run("/divisions/ABC-def") ?? {})).toEqual(["abc-def"]);
    expect(Object.keys(run("/divisions/a%20b/") ?? {})).toEqual(["a b"]);
    expect(run("/divisions/abc/users")).toBeUndefined();
    expect(run("/divisions/%E0%A4%A")).toBeUndefined();
    expect(run("/")).toBeUndefined();
    expect(requests).toEqual(["/api/divisions/abc-def/users", "/api/divisions/a%20b/users"]);
  });

  it("reads the address exactly as divisionIdInPath does (the proxy and the shell's component)", () => {
    for (const pathname of ["/divisions/ABC-def", "/divisions/a%20b/", "/divisions/abc/users", "/divisions/%E0%A4%A", "/", "/divisions/"]) {
      const window: Record<string, unknown> = {};
      new Function("window", "location", "fetch", EARLY_USERS_SCRIPT)(window, { pathname }, () => Promise.reject(new TypeError("offline")));
      const started = Object.keys((window.__tenantscopeUsersRequests as Record<string, unknown> | undefined) ?? {});
      const id = divisionIdInPath(pathname);
      expect(started, pathname).toEqual(id === null ? [] : [id]);
    }
  });
});
