import { generateKeyPair } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { promisify } from "node:util";
import Provider from "oidc-provider";
import MemoryAdapter from "oidc-provider/lib/adapters/memory_adapter.js";
import LRU from "oidc-provider/lib/helpers/lru.js";
import { CLIENT_ID, CLIENT_SECRET } from "./oidc-client.js";
import { sqliteAdapter } from "./oidc-sqlite-adapter.js";

/**
 * node-oidc-provider as a peer: its token endpoint's refresh_token grant with rotation
 * (`rotateRefreshToken: true`: every refresh consumes the presented token and issues a new one;
 * presenting a consumed one revokes the whole grant), JWT access tokens signed with Ed25519 (as
 * Tessera's) through a resource indicator, a confidential client (client_secret_post).
 *
 * env: PORT; PEER_STORE = "memory" (the provider's own in-memory adapter, its LRU sized to hold
 * every seeded grant and token) or "sqlite" (./oidc-sqlite-adapter.js on PEER_DB); PEER_SESSIONS
 * grants to seed, each with one refresh token, written as JSON to PEER_SEED_OUT before listening.
 */

const RESOURCE = "https://api.bench.example";
const SCOPE = "offline_access api:read";

const port = Number(process.env.PORT);
const sessions = Number(process.env.PEER_SESSIONS ?? "0");
const store = process.env.PEER_STORE ?? "memory";

const { privateKey } = await promisify(generateKeyPair)("ed25519");
const jwk = privateKey.export({ format: "jwk" });

const adapter =
  store === "sqlite"
    ? sqliteAdapter(String(process.env.PEER_DB))
    : (() => {
        // Each seeded session holds a grant, its refresh token and an index entry, and every
        // refresh adds a consumed token until it expires: room for all of them, many times over.
        const storage = new LRU({ maxSize: Math.max(10_000, sessions * 100) });
        return (/** @type {string} */ model) => new MemoryAdapter(model, storage);
      })();

const provider = new Provider(`http://127.0.0.1:${port}`, {
  adapter,
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_types: ["authorization_code", "refresh_token"],
      redirect_uris: ["https://rp.bench.example/cb"],
      token_endpoint_auth_method: "client_secret_post",
      id_token_signed_response_alg: "EdDSA",
    },
  ],
  jwks: { keys: [{ ...jwk, alg: "EdDSA", use: "sig", kid: "bench" }] },
  findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
  rotateRefreshToken: true,
  ttl: { AccessToken: 15 * 60, Grant: 14 * 86_400, RefreshToken: 14 * 86_400 },
  scopes: ["offline_access", "api:read"],
  features: {
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: "api:read",
        audience: RESOURCE,
        accessTokenTTL: 15 * 60,
        accessTokenFormat: "jwt",
        jwt: { sign: { alg: "EdDSA" } },
      }),
    },
  },
});

const client = await provider.Client.find(CLIENT_ID);
const tokens = [];
for (let i = 0; i < sessions; i++) {
  const accountId = `user-${Math.floor(i / 10)}`;
  const grant = new provider.Grant({ accountId, clientId: CLIENT_ID });
  grant.addOIDCScope("offline_access");
  grant.addResourceScope(RESOURCE, "api:read");
  const grantId = await grant.save();
  const refreshToken = new provider.RefreshToken({
    accountId,
    client,
    grantId,
    gty: "authorization_code",
    scope: SCOPE,
    resource: RESOURCE,
    authTime: Math.floor(Date.now() / 1000),
    expiresWithSession: false,
  });
  tokens.push({ token: await refreshToken.save() });
}
if (process.env.PEER_SEED_OUT) writeFileSync(process.env.PEER_SEED_OUT, JSON.stringify(tokens));

const server = createServer(provider.callback());
server.listen(port, "127.0.0.1");
process.once("SIGTERM", () => server.close(() => process.exit(0)));
