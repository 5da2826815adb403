import { describe, expect, it } from "vitest";
import {
  formatRefreshToken,
  generateRefreshToken,
  hashRefreshSecret,
  parseRefreshToken,
  refreshSecretMatches,
} from "./refresh.js";

describe("refresh token strings", () => {
  it("are tsr_<128-bit id>.<256-bit secret> and parse back", () => {
    const parts = generateRefreshToken();
    expect(Buffer.from(parts.id, "base64url")).toHaveLength(16);
    expect(Buffer.from(parts.secret, "base64url")).toHaveLength(32);
    const token = formatRefreshToken(parts);
    expect(token).toMatch(/^tsr_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(parseRefreshToken(token)).toEqual(parts);
    expect(generateRefreshToken()).not.toEqual(parts);
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
});
