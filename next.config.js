// @ts-check
/** @type {import('next').NextConfig} */
const nextConfig = {
  // The Genesys SDK is CommonJS with dynamic requires and a config-file watcher, better-sqlite3 a native
  // addon, ioredis a client with its own connection state: all three are loaded from node_modules.
  serverExternalPackages: ["purecloud-platform-client-v2", "better-sqlite3", "ioredis"],
  poweredByHeader: false,
  // forbidden(): a refused page answers 403 (app/(dashboard)/forbidden.tsx), not 200 with a panel.
  experimental: { authInterrupts: true },
  reactStrictMode: true,
  // Pages and API responses get their security headers in proxy.ts; static assets (which skip the proxy)
  // get the ones that apply to them here.
  async headers() {
    return [
      {
        source: "/_next/static/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Cross-Origin-Resource-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
