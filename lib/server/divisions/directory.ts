import "server-only";

import { DIRECTORY_USER_VIEW, divisionsWithPermission, type GenesysClient } from "@/lib/server/genesys";

// The org's divisions as the BFF sees them: names, user counts, and whether the BFF's own client may list
// their users. Cached briefly and loaded once however many requests ask at the same time. Access checks use
// it to answer 404 and 403 before any user data is fetched.

export interface DirectoryDivision {
  id: string;
  name: string;
  description: string;
  homeDivision: boolean;
  userCount: number | null;
  /** The BFF client holds directory:user:view here. */
  reachable: boolean;
  /** Correlation id of Genesys' answer about the client's permitted divisions (for unreachable ones). */
  permissionCorrelationId?: string;
}

export interface DivisionDirectoryData {
  divisions: Map<string, DirectoryDivision>;
  loadedAt: number;
}

export class DivisionDirectory {
  private data: DivisionDirectoryData | null = null;
  private loading: Promise<DivisionDirectoryData> | null = null;

  constructor(
    private readonly client: GenesysClient,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<DivisionDirectoryData> {
    if (this.data && this.now() - this.data.loadedAt < this.ttlMs) return this.data;
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    try {
      return await this.loading;
    } catch (e) {
      // Upstream trouble: an older directory is better than none for deciding who may see what.
      if (this.data) return this.data;
      throw e;
    }
  }

  async find(divisionId: string): Promise<DirectoryDivision | undefined> {
    return (await this.get()).divisions.get(divisionId);
  }

  private async load(): Promise<DivisionDirectoryData> {
    const [all, permitted] = await Promise.all([this.client.listDivisions(), divisionsWithPermission(this.client, DIRECTORY_USER_VIEW)]);
    const reachable = new Set(permitted.divisions.map((d) => d.id));
    const divisions = new Map<string, DirectoryDivision>();
    for (const d of all) {
      divisions.set(d.id, {
        id: d.id,
        name: d.name,
        description: d.description ?? "",
        homeDivision: d.homeDivision === true,
        userCount: d.objectCounts?.USER ?? null,
        reachable: permitted.all || reachable.has(d.id),
        ...(permitted.correlationId ? { permissionCorrelationId: permitted.correlationId } : {}),
      });
    }
    this.data = { divisions, loadedAt: this.now() };
    return this.data;
  }
}
