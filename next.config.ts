import type { NextConfig } from "next";

/** Headers on every response; pages also get a nonce-based CSP from src/proxy.ts. */
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
];

const nextConfig: NextConfig = {
  // better-sqlite3 and @prisma/client are on Next's built-in external list; the adapters,
  // pg and argon2 (native) are kept out of the server bundle too, and chinese-days, whose
  // "module" build is ESM inside a package marked CommonJS (Turbopack refuses to bundle it),
  // and the common-password list (1.9 MB, loaded by Node once instead of copied into route chunks).
  serverExternalPackages: [
    "@prisma/adapter-better-sqlite3",
    "@prisma/adapter-pg",
    "pg",
    "piscina",
    "argon2",
    "chinese-days",
    "@zxcvbn-ts/language-common",
  ],
  poweredByHeader: false,
  // The build checks the app's types only: a test file must never stop `npm start`
  // (the whole project, tests included, is checked by `npm test`'s first step).
  typescript: { tsconfigPath: "tsconfig.next.json" },
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      // JSON answers never render as a document.
      {
        source: "/api/:path*",
        headers: [
          { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" },
          { key: "Cache-Control", value: "no-store" },
        ],
      },
    ];
  },
};

export default nextConfig;
