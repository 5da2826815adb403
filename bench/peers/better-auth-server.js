import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
// The better-sqlite3 build for this Node (13 on Node >= 22, 12 on Node 20), as the store loads it.
import { SqliteDatabase as Database } from "@tessera/store-sqlite";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import { jwt } from "better-auth/plugins";

/**
 * better-auth as a peer: its jwt plugin's `GET /api/auth/token`, which turns the caller's session
 * (the signed `better-auth.session_token` cookie, looked up in the SQLite session table on every
 * request — no cookie cache) into a fresh JWT access token signed with its stored Ed25519 key.
 * It does NOT rotate anything: the same session cookie works again and again, so there is no
 * refresh-token reuse to detect. The bench says so beside its figure.
 *
 * env: PORT, PEER_DB (the SQLite file), PEER_SESSIONS (sessions to create through its own
 * sign-in, whose cookies are written as JSON to PEER_SEED_OUT before listening).
 */

const port = Number(process.env.PORT);
const auth = betterAuth({
  database: new Database(String(process.env.PEER_DB)),
  secret: "bench-only-better-auth-secret-0123456789abcdef",
  baseURL: `http://127.0.0.1:${port}`,
  logger: { disabled: true },
  emailAndPassword: {
    enabled: true,
    // Seeding only: sign-in is not what is measured, so the password hash is made free.
    password: { hash: async (password) => password, verify: async ({ hash, password }) => hash === password },
  },
  plugins: [jwt()],
});

const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

const PASSWORD = "bench-only password";
const seeded = [];
const sessions = Number(process.env.PEER_SESSIONS ?? "0");
for (let i = 0; i < sessions; i++) {
  const email = `user-${Math.floor(i / 10)}@bench.example`;
  const headers =
    i % 10 === 0
      ? (
          await auth.api.signUpEmail({
            body: { email, password: PASSWORD, name: "Bench" },
            returnHeaders: true,
          })
        ).headers
      : (await auth.api.signInEmail({ body: { email, password: PASSWORD }, returnHeaders: true })).headers;
  const cookie = /better-auth\.session_token=([^;]+)/.exec(headers.get("set-cookie") ?? "")?.[1];
  if (!cookie) throw new Error("better-auth set no session cookie");
  seeded.push({ token: cookie });
}
if (process.env.PEER_SEED_OUT) writeFileSync(process.env.PEER_SEED_OUT, JSON.stringify(seeded));

const handler = toNodeHandler(auth);
const server = createServer((req, res) => {
  if (req.url === "/healthz") {
    res.setHeader("content-type", "application/json");
    res.end('{"ok":true}');
    return;
  }
  void handler(req, res);
});
server.listen(port, "127.0.0.1");
process.once("SIGTERM", () => server.close(() => process.exit(0)));
