import { createSecretKey, generateKeyPair, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { promisify } from "node:util";
// The better-sqlite3 build for this Node (13 on Node >= 22, 12 on Node 20), as the store loads it.
import { SqliteDatabase as Database } from "@tessera/store-sqlite";
import express from "express";
import jwt from "jsonwebtoken";

/**
 * The recipe a typical Express + `jsonwebtoken` tutorial writes, as a peer: `POST /refresh` takes
 * the refresh token (a JWT, HS256 with a secret) from the JSON body, verifies it, looks it up in a
 * SQLite table, deletes it and stores its successor (rotation: the old token is gone, so
 * presenting it again fails), and signs a new ES256 access token (asymmetric, so resource servers
 * can verify it with a public key, as with Tessera's JWKS) with the private key as a PEM string —
 * the way those tutorials pass it to `jwt.sign`, which then parses the PEM on every call. With
 * PEER_KEY_OBJECTS=1 both keys (the ES256 private key and the HS256 secret) are made KeyObjects
 * once instead (the two-line fix), everything else the same.
 *
 * env: PORT, PEER_DB (the SQLite file), PEER_SESSIONS (refresh tokens to seed, written as JSON to
 * PEER_SEED_OUT before listening), PEER_KEY_OBJECTS.
 */

const REFRESH_SECRET = "a-refresh-secret-from-the-env-in-a-real-app-0123456789";
const { privateKey } = await promisify(generateKeyPair)("ec", { namedCurve: "P-256" });
const privatePem = privateKey.export({ format: "pem", type: "pkcs8" });
const keyObjects = process.env.PEER_KEY_OBJECTS === "1";
const signingKey = keyObjects ? privateKey : privatePem;
// As written, the HS256 secret is a string: jsonwebtoken 9 then first tries to parse it as a PEM
// key (createPrivateKey / createPublicKey, which throw) on every sign and verify — most of the
// recipe's cost. As a KeyObject it goes straight to the HMAC.
const refreshKey = keyObjects ? createSecretKey(Buffer.from(REFRESH_SECRET)) : REFRESH_SECRET;

const db = new Database(String(process.env.PEER_DB));
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.exec(`CREATE TABLE IF NOT EXISTS refresh_tokens (
  token TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL
)`);
const findToken = db.prepare("SELECT user_id, expires_at FROM refresh_tokens WHERE token = ?");
const deleteToken = db.prepare("DELETE FROM refresh_tokens WHERE token = ?");
const insertToken = db.prepare("INSERT INTO refresh_tokens (token, user_id, expires_at) VALUES (?, ?, ?)");

/** @param {string} userId */
function issueRefreshToken(userId) {
  const token = jwt.sign({ sub: userId, jti: randomUUID() }, refreshKey, { expiresIn: "7d" });
  insertToken.run(token, userId, Date.now() + 7 * 86_400_000);
  return token;
}

const seeded = [];
const sessions = Number(process.env.PEER_SESSIONS ?? "0");
for (let i = 0; i < sessions; i++) seeded.push({ token: issueRefreshToken(`user-${Math.floor(i / 10)}`) });
if (process.env.PEER_SEED_OUT) writeFileSync(process.env.PEER_SEED_OUT, JSON.stringify(seeded));

const app = express();
app.use(express.json());

app.get("/healthz", (_req, res) => {
  res.json({ ok: true });
});

app.post("/refresh", (req, res) => {
  const { refreshToken } = req.body ?? {};
  if (!refreshToken) return res.status(401).json({ error: "refresh token required" });
  /** @type {jwt.JwtPayload} */
  let payload;
  try {
    payload = /** @type {jwt.JwtPayload} */ (jwt.verify(refreshToken, refreshKey));
  } catch {
    return res.status(403).json({ error: "invalid refresh token" });
  }
  const row = /** @type {{ user_id: string, expires_at: number } | undefined} */ (
    findToken.get(refreshToken)
  );
  if (!row || row.expires_at < Date.now()) return res.status(403).json({ error: "invalid refresh token" });
  deleteToken.run(refreshToken);
  const newRefreshToken = issueRefreshToken(row.user_id);
  const accessToken = jwt.sign({ sub: payload.sub }, signingKey, { algorithm: "ES256", expiresIn: "15m" });
  return res.json({ accessToken, refreshToken: newRefreshToken });
});

const server = app.listen(Number(process.env.PORT), "127.0.0.1");
process.once("SIGTERM", () => server.close(() => process.exit(0)));
