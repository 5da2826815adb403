import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tesseraRefresh } from "../lib/load.js";
import { CLIENT } from "../lib/seed.js";
import { freePort, startServer } from "../lib/server-process.js";
import { startBaseline, startTessera } from "../lib/tessera-server.js";
import { CLIENT_ID, CLIENT_SECRET } from "./oidc-client.js";

/**
 * The contenders of the peers benchmark: each a server in its own process (pinned like Tessera's),
 * its seeded sessions, and the protocol that spends a session's token and reads the next one.
 *
 * @typedef {import("../lib/load.js").Protocol} Protocol
 * @typedef {import("../lib/load.js").Session} Session
 * @typedef {Awaited<ReturnType<typeof startServer>>} Server
 * @typedef {{
 *   name: string,
 *   label: string,
 *   kind: "tessera" | "rotating" | "no_rotation" | "gauge",
 *   note: string,
 *   server: Server,
 *   sessions: Session[],
 *   protocol: Protocol,
 *   checkServer?: () => Promise<Server>,
 * }} Contender
 *   `checkServer`, when present, starts the server the rotation check runs against instead.
 */

const here = (/** @type {string} */ file) => fileURLToPath(new URL(file, import.meta.url));

/** @param {string} body */
function json(body) {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * Starts `bench/peers/<script>` with `env`, letting it seed `sessions` before it listens.
 *
 * @param {{ script: string, env: Record<string, string>, sessions: number, dir: string, cpus: string | undefined, readyPath: string }} options
 */
async function startPeer(options) {
  const port = await freePort();
  const seedOut = join(options.dir, `${options.script}.${port}.seed.json`);
  const server = await startServer({
    args: [here(options.script)],
    env: {
      ...options.env,
      PORT: String(port),
      PEER_SESSIONS: String(options.sessions),
      PEER_SEED_OUT: seedOut,
    },
    port,
    readyPath: options.readyPath,
    readyTimeoutMs: 180_000,
    ...(options.cpus !== undefined ? { cpus: options.cpus } : {}),
  });
  /** @type {Session[]} */
  const sessions = JSON.parse(readFileSync(seedOut, "utf8"));
  return { server, sessions };
}

/** node-oidc-provider's token endpoint, refresh_token grant, client_secret_post. */
/** @type {Protocol} */
const oidcRefresh = {
  request: (session) => ({
    method: "POST",
    path: "/token",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `grant_type=refresh_token&refresh_token=${session.token}&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}`,
  }),
  rotated: (_status, body) => {
    const answer = json(body);
    return answer?.access_token ? answer.refresh_token : undefined;
  },
};

/** The Express recipe's `POST /refresh` with the token in a JSON body. */
/** @type {Protocol} */
const expressRefresh = {
  request: (session) => ({
    method: "POST",
    path: "/refresh",
    headers: { "content-type": "application/json" },
    body: `{"refreshToken":"${session.token}"}`,
  }),
  rotated: (_status, body) => {
    const answer = json(body);
    return answer?.accessToken ? answer.refreshToken : undefined;
  },
};

/** better-auth's `GET /api/auth/token` with its session cookie; the session stays the same. */
/** @type {Protocol} */
const betterAuthToken = {
  stable: true,
  request: (session) => ({
    method: "GET",
    path: "/api/auth/token",
    headers: { cookie: `better-auth.session_token=${session.token}` },
  }),
  rotated: (_status, body, _headers, session) => (json(body)?.token ? session.token : undefined),
};

/** @type {Protocol} */
const bareRoute = {
  stable: true,
  request: () => ({ method: "GET", path: "/", headers: {} }),
  rotated: (_status, _body, _headers, session) => session.token,
};

/**
 * Starts every contender, one after the other (each seeds its own store first).
 *
 * @example
 * const contenders = await startContenders({ dir, sessions: 5000, cpus: "0", tessera });
 *
 * @param {{ dir: string, sessions: number, cpus: string | undefined, tessera: { databaseUrl: string, masterKeyHex: string, sessions: Array<{ token: string, csrfToken: string, dead?: boolean }> }, only?: string[] }} options
 * @returns {Promise<Contender[]>}
 */
export async function startContenders(options) {
  const { dir, sessions, cpus } = options;
  /** @type {Array<{ name: string, start: () => Promise<Contender> }>} */
  const all = [
    {
      name: "tessera",
      start: async () => ({
        name: "tessera",
        label: "Tessera",
        kind: "tessera",
        note: "POST /auth/refresh, cookie + CSRF header, rotation, EdDSA access token, SQLite",
        server: await startTessera({ ...options.tessera, ...(cpus !== undefined ? { cpus } : {}) }),
        sessions: options.tessera.sessions,
        protocol: tesseraRefresh(CLIENT.userAgent),
        // Measured with the defaults, whose 10 s grace window hands a racing tab the same
        // successor on purpose; the rotation check runs on a second server over the same file
        // with the grace off, where a replayed token must fail (and revoke its family).
        checkServer: () => startTessera({ ...options.tessera, env: { TESSERA_REFRESH_GRACE: "0s" } }),
      }),
    },
    ...["memory", "sqlite"].map((store) => ({
      name: `oidc_provider_${store}`,
      start: async () => ({
        name: `oidc_provider_${store}`,
        label: `node-oidc-provider (${store})`,
        kind: /** @type {const} */ ("rotating"),
        note:
          store === "memory"
            ? "refresh_token grant, rotation, EdDSA JWT access token; its in-memory adapter, LRU sized for every token"
            : "refresh_token grant, rotation, EdDSA JWT access token; a SQLite adapter to its Adapter interface",
        ...(await startPeer({
          script: "oidc-server.js",
          env: { PEER_STORE: store, PEER_DB: join(dir, "oidc.db") },
          sessions,
          dir,
          cpus,
          readyPath: "/.well-known/openid-configuration",
        })),
        protocol: oidcRefresh,
      }),
    })),
    ...[false, true].map((keyObjects) => ({
      name: keyObjects ? "express_jsonwebtoken_keyobjects" : "express_jsonwebtoken",
      start: async () => ({
        name: keyObjects ? "express_jsonwebtoken_keyobjects" : "express_jsonwebtoken",
        label: keyObjects ? "Express + jsonwebtoken (KeyObject)" : "Express + jsonwebtoken",
        kind: /** @type {const} */ ("rotating"),
        note: keyObjects
          ? "the same recipe with both keys (ES256 private key, HS256 secret) made KeyObjects once"
          : "the tutorial recipe: HS256 refresh JWT in a SQLite table, delete + insert, ES256 access token from a PEM string",
        ...(await startPeer({
          script: "express-jwt-server.js",
          env: {
            PEER_DB: join(dir, `express-${keyObjects ? "ko" : "pem"}.db`),
            PEER_KEY_OBJECTS: keyObjects ? "1" : "0",
          },
          sessions,
          dir,
          cpus,
          readyPath: "/healthz",
        })),
        protocol: expressRefresh,
      }),
    })),
    {
      name: "better_auth",
      start: async () => ({
        name: "better_auth",
        label: "better-auth JWT (no rotation)",
        kind: "no_rotation",
        note: "GET /api/auth/token: session cookie looked up in SQLite, EdDSA JWT; NO rotation (the same cookie works again)",
        ...(await startPeer({
          script: "better-auth-server.js",
          env: { PEER_DB: join(dir, "better-auth.db") },
          sessions: Math.min(sessions, 1000),
          dir,
          cpus,
          readyPath: "/healthz",
        })),
        protocol: betterAuthToken,
      }),
    },
    {
      name: "fastify_bare",
      start: async () => ({
        name: "fastify_bare",
        label: "bare Fastify route (gauge)",
        kind: "gauge",
        note: "GET / → {hello:'world'}: the machine's speed gauge, not an auth server",
        server: await startBaseline(cpus !== undefined ? { cpus } : {}),
        sessions: Array.from({ length: 256 }, () => ({ token: "" })),
        protocol: bareRoute,
      }),
    },
  ];
  /** @type {Contender[]} */
  const started = [];
  try {
    for (const entry of all) {
      if (options.only && !options.only.includes(entry.name)) continue;
      started.push(await entry.start());
    }
  } catch (error) {
    await Promise.all(started.map((c) => c.server.stop()));
    throw error;
  }
  return started;
}
