import { loadContract } from "@/lib/client/contract";

// Runs before React hydrates the page. Every dashboard page checks its first response against the contract,
// whose schemas (and zod) are kept out of the page's first-load scripts (lib/client/contract.ts): asking for
// them here, rather than when the first query runs after hydration, has them loaded by the time a response is
// read. A failure is not final: the query asks again.
void loadContract();
