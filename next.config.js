// @ts-check
/** @type {import('next').NextConfig} */
const nextConfig = {
  // The Genesys SDK is CommonJS with dynamic requires and a config-file watcher; keep it out of the bundle.
  serverExternalPackages: ["purecloud-platform-client-v2"],
  poweredByHeader: false,
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
