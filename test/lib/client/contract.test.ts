import { afterEach, describe, expect, it, vi } from "vitest";

// lib/client/contract.ts: the contract's schemas load on first need. A failed load (the chunk's request
// dropped) must read as words on the page and must not be remembered: the next request tries again.

afterEach(() => {
  vi.doUnmock("@/lib/shared/contract");
  vi.resetModules();
});

describe("loadContract", () => {
  it("loads the contract once, however many ask", async () => {
    vi.resetModules();
    let loads = 0;
    vi.doMock("@/lib/shared/contract", async (importOriginal) => {
      loads++;
      return importOriginal();
    });
    const { loadContract } = await import("@/lib/client/contract");
    const [a] = await Promise.all([loadContract(), loadContract()]);
    await loadContract();
    expect(loads).toBe(1);
    expect(typeof a.divisionsListSchema.safeParse).toBe("function");
  });

  it("says in words that part of the page could not load, and tries again on the next call", async () => {
    vi.resetModules();
    let attempts = 0;
    vi.doMock("@/lib/shared/contract", async (importOriginal) => {
      attempts++;
      if (attempts === 1) throw new Error("ChunkLoadError: Loading chunk 0l1mwjq6cl0a8 failed.");
      return importOriginal();
    });
    const { loadContract } = await import("@/lib/client/contract");
    await expect(loadContract()).rejects.toThrow("Part of this page could not be loaded. Check your connection, then try again.");
    const contract = await loadContract();
    expect(attempts).toBe(2);
    expect(typeof contract.divisionUsersPayloadSchema.safeParse).toBe("function");
  });

  it("without the schemas, an error response still becomes an ApiError from its status", async () => {
    vi.resetModules();
    vi.doMock("@/lib/shared/contract", () => {
      throw new Error("ChunkLoadError");
    });
    const { readError, ApiError } = await import("@/lib/client/api");
    const e = await readError(Response.json({ error: { code: "forbidden", message: "Not yours." } }, { status: 401 }));
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.code]).toEqual([401, "unauthenticated"]);
  });
});
