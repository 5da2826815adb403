import { randomBytes } from "node:crypto";
import { startDemoStack } from "./stack.js";

/**
 * `npm run demo`: the auth server, the demo API and the page on 127.0.0.1 (ports from
 * `DEMO_AUTH_PORT`, `DEMO_API_PORT`, `DEMO_PAGE_PORT`; default 3000, 4000, 5173). Other
 * `TESSERA_*` variables configure the auth server, e.g. `TESSERA_ACCESS_TOKEN_TTL=10s` to watch
 * silent refreshes happen.
 */
function port(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
    throw new Error(`${name}: expected a port number`);
  }
  return parsed;
}

const stack = await startDemoStack({
  ports: {
    auth: port("DEMO_AUTH_PORT", 3000),
    api: port("DEMO_API_PORT", 4000),
    page: port("DEMO_PAGE_PORT", 5173),
  },
  env: process.env,
});

// An account holding the admin role, so the admin-only API card has someone to answer.
const adminEmail = "admin@demo.test";
const adminPassword = randomBytes(12).toString("base64url");
const registered = await fetch(`${stack.authUrl}/auth/register`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ email: adminEmail, password: adminPassword }),
});
const adminReady = registered.status === 201;
if (adminReady) await stack.setRoles(adminEmail, { add: ["admin"] });

process.stdout.write(
  [
    "",
    `  Tessera demo   ${stack.pageUrl}`,
    "",
    `  auth server    ${stack.authUrl}`,
    `  demo API       ${stack.apiUrl}/api/profile, ${stack.apiUrl}/api/admin (role admin)`,
    adminReady
      ? `  admin login    ${adminEmail} / ${adminPassword}`
      : "  admin login    (registration is closed)",
    "",
    "  Ctrl-C stops all three.",
    "",
  ].join("\n"),
);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    stack.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
