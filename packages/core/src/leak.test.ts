// A leaked copy of the database must yield no usable refresh token, CSRF token or private key.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signingKeySealKey } from "@tessera/core";
import { SqliteDatabase as Database } from "@tessera/store-sqlite";
import { exportJWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveKey, open } from "./crypto/seal.js";
import { loadSigningKey } from "./keys/load.js";
import { CTX, type Harness, MASTER_KEY, outcome, setUp, signUpAndIn } from "./test-support/harness.js";

let dir: string;
let h: Harness;
const secrets: string[] = [];
const rows: Array<Record<string, unknown>> = [];
let dump = "";

const hexAndB64 = (b: Buffer) => [b.toString("hex"), b.toString("base64"), b.toString("base64url")];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tessera-leak-"));
  h = await setUp({ refreshGraceMs: 10_000 }, { path: join(dir, "tessera.db") });
  await h.tessera.rotateKeys(); // three keys: previous, active, next
  for (let i = 0; i < 3; i++) {
    const { tokens } = await signUpAndIn(h.tessera);
    secrets.push(tokens.refreshToken, tokens.csrfToken);
    const second = await h.tessera.refresh({ refreshToken: tokens.refreshToken, context: CTX });
    const third = await h.tessera.refresh({ refreshToken: second.refreshToken, context: CTX });
    secrets.push(second.refreshToken, third.refreshToken); // `second` is sealed (grace) in the store
  }
  for (const token of secrets.filter((s) => s.startsWith("tsr_")))
    secrets.push(token.split(".")[1] as string);
  for (const record of await h.store.listSigningKeys()) {
    const key = loadSigningKey(record, signingKeySealKey(MASTER_KEY));
    const jwk = (await exportJWK(key.privateKey)) as Record<string, unknown>;
    for (const member of ["d", "p", "q", "dp", "dq", "qi", "k"]) {
      if (typeof jwk[member] === "string") secrets.push(jwk[member] as string);
    }
    secrets.push(...hexAndB64(key.privateKey.export({ format: "der", type: "pkcs8" })));
  }
  secrets.push(...hexAndB64(Buffer.from(MASTER_KEY)));
  await h.close();

  const db = new Database(join(dir, "tessera.db"), { readonly: true });
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as Array<{
    name: string;
  }>;
  for (const { name } of tables) {
    const tableRows = db.prepare(`SELECT * FROM "${name}"`).all() as Array<Record<string, unknown>>;
    rows.push(...tableRows.map((r) => ({ __table: name, ...r })));
  }
  db.close();
  dump = JSON.stringify(rows, (_k, v: unknown) => (Buffer.isBuffer(v) ? hexAndB64(v).join(" ") : v));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("a leaked database", () => {
  it("was read in full (the dump holds the token ids and sessions, so the search below is not vacuous)", () => {
    const ids = secrets.filter((s) => s.startsWith("tsr_")).map((t) => t.slice(4, 26));
    for (const id of ids) expect(dump).toContain(id);
    const tables = new Set(rows.map((r) => r.__table));
    for (const table of ["users", "sessions", "refresh_tokens", "signing_keys", "audit_events"]) {
      expect(tables).toContain(table);
    }
    expect(rows.filter((r) => r.__table === "signing_keys")).toHaveLength(3);
    expect(secrets.length).toBeGreaterThan(30);
  });

  it("contains no refresh token, refresh secret, CSRF token, private key member, PKCS#8 or master key", () => {
    for (const secret of secrets) expect(dump.includes(secret), "a secret appears in the dump").toBe(false);
  });

  it("contains none of them in the raw files either (free pages, WAL)", () => {
    for (const file of readdirSync(dir)) {
      const raw = readFileSync(join(dir, file)).toString("latin1");
      for (const secret of secrets) expect(raw.includes(secret), `a secret appears in ${file}`).toBe(false);
    }
  });

  it("its stored hashes and sealed successors do not refresh and do not open", async () => {
    h = await setUp({ refreshGraceMs: 10_000 }, { path: join(dir, "tessera.db") });
    const tokenRows = rows.filter((r) =>
      Object.values(r).some((v) => typeof v === "string" && v.startsWith("v1.")),
    );
    const stored = await Promise.all(
      secrets
        .filter((s) => s.startsWith("tsr_"))
        .map(async (t) => (await h.store.getRefreshToken(t.slice(4, 26)))?.token),
    );
    for (const token of stored) {
      if (token === undefined) continue;
      expect(
        await outcome(
          h.tessera.refresh({ refreshToken: `tsr_${token.id}.${token.secretHash}`, context: CTX }),
        ),
      ).toBe("refresh_invalid");
      if (token.successorSealed !== null) {
        expect(await outcome(h.tessera.refresh({ refreshToken: token.successorSealed, context: CTX }))).toBe(
          "refresh_invalid",
        );
        // the seal's key comes from the token's secret; the stored hash does not open it
        expect(
          open(deriveKey(token.secretHash, token.id, "tessera/grace/v1"), token.successorSealed, token.id),
        ).toBeNull();
      }
    }
    expect(tokenRows.length).toBeGreaterThan(0);
    expect(stored.some((t) => t?.successorSealed)).toBe(true);
    await h.close();
  });
});
