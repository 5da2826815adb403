import * as crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  formatRefreshToken,
  generateRefreshToken,
  hashRefreshSecret,
  parseRefreshToken,
  refreshSecretMatches,
  sha256Over,
} from "./refresh.js";

describe("refresh token strings", () => {
  it("are tsr_<22-character id>.<256-bit secret> and parse back", () => {
    const parts = generateRefreshToken();
    expect(parts.id).toMatch(/^[0-9A-Za-z]{8}[A-Za-z0-9_-]{14}$/);
    expect(Buffer.from(parts.secret, "base64url")).toHaveLength(32);
    const token = formatRefreshToken(parts);
    expect(token).toMatch(/^tsr_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(parseRefreshToken(token)).toEqual(parts);
    expect(generateRefreshToken()).not.toEqual(parts);
  });

  it("have ids that sort by creation time, with 84 random bits after the time", () => {
    const times = [0, 1, 61, 62, 1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000, 62 ** 8 - 1];
    const ids = times.map((t) => generateRefreshToken(t).id);
    // Byte order, as SQLite's BINARY collation and PostgreSQL's "C" comparisons see them.
    expect([...ids].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1))).toEqual(ids);
    expect(ids[0]?.slice(0, 8)).toBe("00000000");
    expect(ids.at(-1)?.slice(0, 8)).toBe("zzzzzzzz");

    const sameMs = Array.from({ length: 2_000 }, () => generateRefreshToken(1_700_000_000_000).id);
    expect(new Set(sameMs).size).toBe(sameMs.length);
    expect(new Set(sameMs.map((id) => id.slice(0, 8))).size).toBe(1);
    // Every position of the random part takes many values: it is drawn, not derived from the time.
    for (let i = 8; i < 22; i++) expect(new Set(sameMs.map((id) => id[i])).size).toBeGreaterThan(40);
  });

  it("refuses anything else", () => {
    const token = formatRefreshToken(generateRefreshToken());
    for (const bad of [
      "",
      token.slice(4),
      `${token}x`,
      token.slice(0, -1),
      ` ${token}`,
      token.replace(".", "_"),
      token.replace("tsr_", "TSR_"),
    ]) {
      expect(parseRefreshToken(bad)).toBeNull();
    }
  });

  it("stores only a hash, compared in constant time", () => {
    const { secret } = generateRefreshToken();
    const hash = hashRefreshSecret(secret);
    expect(hash).not.toContain(secret);
    expect(refreshSecretMatches(secret, hash)).toBe(true);
    expect(refreshSecretMatches(generateRefreshToken().secret, hash)).toBe(false);
    expect(refreshSecretMatches(secret, hash.slice(0, -2))).toBe(false);
    expect(refreshSecretMatches(hash, hash)).toBe(false);
  });

  it("keeps the stored format: base64url SHA-256 of the UTF-8 secret, one-shot or not", () => {
    // A known vector, so a change of digest, input encoding or output encoding shows here.
    expect(hashRefreshSecret("abc")).toBe("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
    const oneShot = (crypto as { hash?: Parameters<typeof sha256Over>[0] }).hash;
    const secrets = [generateRefreshToken().secret, "é", ""];
    for (const hash of [sha256Over(undefined), ...(oneShot ? [sha256Over(oneShot)] : [])]) {
      for (const secret of secrets) {
        expect(hash(secret).toString("base64url")).toBe(hashRefreshSecret(secret));
        expect(hash(secret)).toEqual(crypto.createHash("sha256").update(secret, "utf8").digest());
      }
    }
  });
});
