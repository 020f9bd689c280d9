import "server-only";
import platformClient from "purecloud-platform-client-v2";

import type { GenesysConfig } from "@/lib/server/platform";

// The typings (SDK 262) declare ApiClientClass but do not export it on the module, and type every
// call as resolving the bare model although extended responses wrap it; these narrow types say what we use.
export type SdkClient = typeof platformClient.ApiClient;

interface SdkModule {
  ApiClientClass: new () => SdkClient;
}

/** What an SDK call resolves with when extended responses are on. */
export interface ExtendedResponse {
  status: number;
  headers: Record<string, unknown>;
  body: unknown;
}

/**
 * A new, independent SDK client for one identity. Never use `platformClient.ApiClient` (a process-wide
 * singleton) and always pass the result explicitly to `new XxxApi(client)`.
 */
export function createSdkClient(genesys: GenesysConfig, timeoutMs: number): SdkClient {
  const client = new (platformClient as unknown as SdkModule).ApiClientClass();
  // The SDK reads and live-reloads ~/.genesyscloudjavascript/config, whose [gateway] would silently replace
  // ours: stop watching it before configuring anything.
  client.config.setConfigPath("");
  client.config.live_reload_config = false;
  if (genesys.gateway) {
    client.setGateway({
      host: genesys.gateway.host,
      protocol: genesys.gateway.protocol,
      port: genesys.gateway.port,
      path_params_login: genesys.gateway.pathPrefix.replace(/^\//, ""),
      path_params_api: genesys.gateway.pathPrefix.replace(/^\//, ""),
    });
  } else {
    client.setEnvironment(genesys.region.host);
  }
  client.setReturnExtendedResponses(true);
  (client as unknown as { timeout: number }).timeout = timeoutMs;
  return client;
}

export const sdk = {
  UsersApi: platformClient.UsersApi,
  SearchApi: platformClient.SearchApi,
  AuthorizationApi: platformClient.AuthorizationApi,
  TokensApi: platformClient.TokensApi,
  OAuthApi: platformClient.OAuthApi,
  OrganizationApi: platformClient.OrganizationApi,
};

export function isExtendedResponse(value: unknown): value is ExtendedResponse {
  return typeof value === "object" && value !== null && "status" in value && "body" in value && typeof (value as { status: unknown }).status === "number";
}
