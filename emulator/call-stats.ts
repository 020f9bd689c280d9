// What GET /__emulator/stats reports: API requests by operation and status and by OAuth client, and the
// access tokens issued. Tests read it to tell the BFF's calls from staff's and to count upstream traffic.

export interface StatsSnapshot {
  total: number;
  byOperation: Record<string, Record<string, number>>;
  /** API requests (any answer) by the OAuth client their token was issued to: tells the BFF's calls from staff's. */
  byClient: Record<string, number>;
  /** Access tokens issued, by OAuth client (client credentials, code and refresh grants). */
  tokensByClient: Record<string, number>;
  tokensIssued: number;
  /**
   * 429s from the per-token requests-per-minute limiter alone (not the p429 fault, not the search-type
   * limits): a client that paces itself right never meets it.
   */
  rateLimited: number;
}

const empty = (): StatsSnapshot => ({ total: 0, byOperation: {}, byClient: {}, tokensByClient: {}, tokensIssued: 0, rateLimited: 0 });

export class CallStats {
  private stats = empty();

  reset(): void {
    this.stats = empty();
  }

  snapshot(): StatsSnapshot {
    return structuredClone(this.stats);
  }

  /** One answered request (status 0: hung up without an answer). */
  count(operation: string, status: number): void {
    this.stats.total++;
    const op = (this.stats.byOperation[operation] ??= {});
    op[status] = (op[status] ?? 0) + 1;
  }

  /** An authenticated API request by `clientId`'s token. */
  byClient(clientId: string): void {
    this.stats.byClient[clientId] = (this.stats.byClient[clientId] ?? 0) + 1;
  }

  /** A request refused by the per-token limiter. */
  rateLimited(): void {
    this.stats.rateLimited++;
  }

  tokenIssued(clientId: string | undefined): void {
    this.stats.tokensIssued++;
    if (clientId) this.stats.tokensByClient[clientId] = (this.stats.tokensByClient[clientId] ?? 0) + 1;
  }
}
