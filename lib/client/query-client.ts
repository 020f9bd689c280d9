import { isServer, QueryClient } from "@tanstack/react-query";

// A new client per server render, one for the browser's lifetime. Retries are few: the BFF already
// retries Genesys, so a failure reaching the browser is a real one.
function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 60_000, retry: (count, error) => count < 1 && !(error instanceof Error && "status" in error && Number(error.status) < 500), refetchOnWindowFocus: false },
    },
  });
}

let browserClient: QueryClient | undefined;

export function getQueryClient(): QueryClient {
  if (isServer) return makeQueryClient();
  browserClient ??= makeQueryClient();
  return browserClient;
}
