import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// Server layers, lowest first. A folder may import the folders before it in this list (through their
// index.ts), never one after it: app → http, auth → access, diagnostics, audit, divisions, staff → genesys →
// shared-state → platform. docs/architecture.md draws it.
const LAYERS = [
  ["platform"],
  ["shared-state"],
  ["genesys"],
  ["staff"],
  ["divisions"],
  ["audit", "diagnostics", "access"],
  ["http", "auth"],
];

/** For each folder, the folders it must not import: every one above it, and its peers on the same layer. */
const layerZones = LAYERS.flatMap((layer, i) =>
  layer.map((folder) => ({
    target: `./lib/server/${folder}`,
    from: [...LAYERS.slice(i + 1).flat(), ...layer.filter((peer) => peer !== folder)].map((other) => `./lib/server/${other}`),
    message: `lib/server/${folder} sits below these folders (see eslint.config.mjs LAYERS and docs/architecture.md); move the shared piece down instead.`,
  })),
);

const THROUGH_INDEX = {
  group: ["@/lib/server/*/*", "../*"],
  message: "Import another lib/server folder through its index.ts (@/lib/server/<folder>); files of the same folder by ./file.",
};

/** lib/shared is imported by server and browser code alike. */
const SHARED_IMPORTS_NEITHER_SIDE = {
  group: ["@/lib/server", "@/lib/server/*", "@/lib/client", "@/lib/client/*"],
  message: "lib/shared is imported by server and browser code alike: it may import neither side.",
};

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: [".next/**", "node_modules/**", ".scratch/**", "next-env.d.ts", "test-results/**", "playwright-report/**"] },
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // The application's own code: import direction, folder surfaces, no cycles, readable sizes.
    files: ["app/**/*.{ts,tsx}", "lib/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "proxy.ts", "instrumentation.ts"],
    rules: {
      "import/no-restricted-paths": ["error", { zones: layerZones }],
      "import/no-cycle": ["error", { ignoreExternal: true, disableScc: true }],
      "import/no-duplicates": ["error", { "prefer-inline": true }],
      "import/order": [
        "error",
        {
          groups: ["builtin", "external", "internal", ["parent", "sibling", "index"]],
          pathGroups: [{ pattern: "@/**", group: "internal" }],
          "newlines-between": "always",
          alphabetize: { order: "asc", caseInsensitive: true },
        },
      ],
      "no-restricted-imports": ["error", { patterns: [THROUGH_INDEX] }],
      "max-lines": ["error", { max: 300, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    // proxy.ts runs before every request is routed: it takes the leaf modules it needs (env, headers, the
    // shell's hashes, the session decoder, the page-access decision) rather than their folders' index, which
    // would load the audit store into it too; and never the Genesys client.
    files: ["proxy.ts"],
    rules: { "no-restricted-imports": ["error", { paths: [{ name: "@/lib/server/genesys", message: "proxy.ts stays light: no upstream client." }] }] },
  },
  {
    files: ["emulator/**/*.ts", "server/**/*.mjs", "scripts/**/*.ts"],
    ignores: ["emulator/seed.ts"],
    rules: { "max-lines": ["error", { max: 300 }] },
  },
  {
    // lib/shared is read by both sides: it may import neither.
    files: ["lib/shared/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [SHARED_IMPORTS_NEITHER_SIDE] }],
    },
  },
  {
    // What browser code takes from the contract before its schemas load: these two files stay free of zod.
    files: ["lib/shared/contract/users-wire.ts", "lib/shared/contract/audit-labels.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            SHARED_IMPORTS_NEITHER_SIDE,
            { group: ["zod", "zod/*", "./*", "../*"], message: "Browser code reads this file before zod has loaded: plain values only." },
          ],
        },
      ],
    },
  },
  {
    // Browser code must never pull in server modules (secrets, the upstream client).
    files: ["components/**/*.{ts,tsx}", "lib/client/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@/lib/server", "@/lib/server/*"], message: "Client code may not import server modules." },
            {
              group: ["@/lib/shared/contract/*", "!@/lib/shared/contract/users-wire", "!@/lib/shared/contract/audit-labels", "zod", "zod/*"],
              allowTypeImports: true,
              message: "zod and the contract's schemas load with the first response: import types only; schemas through loadContract() (lib/client/contract.ts).",
            },
          ],
          // The schemas (and zod) stay out of first-load JavaScript: types from here, schemas through lib/client/contract.ts.
          paths: [{ name: "@/lib/shared/contract", allowTypeImports: true, message: "Import the contract's types only; load schemas with loadContract() (lib/client/contract.ts), plain values from their zod-free files." }],
        },
      ],
      "max-lines-per-function": ["error", { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
];

export default config;
