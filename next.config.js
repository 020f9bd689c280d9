// @ts-check
/** @type {import('next').NextConfig} */
const nextConfig = {
  // The Genesys SDK is CommonJS with dynamic requires and a config-file watcher; keep it out of the bundle.
  serverExternalPackages: ["purecloud-platform-client-v2"],
  poweredByHeader: false,
  reactStrictMode: true,
};

module.exports = nextConfig;
