import { describe, expect, it } from "vitest";

import { DivisionTests } from "@/lib/server/diagnostics/division-tests";

// The diagnostics tests' own limit: a test of a division under test joins it; one division too many is refused.

function deferred<T>() {
  let resolve: (v: T) => void = () => undefined;
  let reject: (e: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("DivisionTests", () => {
  it("a second test of a division under test (in any letter case) joins the first: one read, one answer", async () => {
    const tests = new DivisionTests<string>(2);
    let reads = 0;
    const read = deferred<string>();
    const test = () => {
      reads++;
      return read.promise;
    };
    const first = tests.run("AB-1", test);
    const second = tests.run("ab-1", test);
    read.resolve("answer");
    expect(await Promise.all([first, second])).toEqual(["answer", "answer"]);
    expect(reads).toBe(1);
    expect(tests.size).toBe(0);
  });

  it("refuses a test of one division too many with 429 rate_limited and Retry-After, until a test ends (even in failure)", async () => {
    const tests = new DivisionTests<string>(2);
    const a = deferred<string>();
    const b = deferred<string>();
    const running = [tests.run("a", () => a.promise), tests.run("b", () => b.promise)];
    let thirdRan = false;
    let refusal: unknown;
    try {
      await tests.run("c", async () => {
        thirdRan = true;
        return "c";
      });
    } catch (e) {
      refusal = e;
    }
    expect(thirdRan).toBe(false);
    expect(refusal).toMatchObject({ code: "rate_limited", status: 429, details: { divisionId: "c", retryAfterSeconds: 10 } });

    b.reject(new Error("Genesys down"));
    await expect(running[1]).rejects.toThrow("Genesys down");
    await expect(tests.run("c", async () => "c")).resolves.toBe("c");
    a.resolve("a");
    await expect(running[0]).resolves.toBe("a");
    expect(tests.size).toBe(0);
  });
});
