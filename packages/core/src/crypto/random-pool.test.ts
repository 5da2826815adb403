import { describe, expect, it } from "vitest";
import { randomFromPool } from "./random-pool.js";

describe("randomFromPool", () => {
  it("hands out the asked number of bytes, never the same bytes twice, across pool refills", () => {
    const seen = new Set<string>();
    // 43-byte draws: ~95 per 4 KiB pool, so this crosses the refill many times.
    for (let i = 0; i < 2000; i++) {
      const bytes = randomFromPool(43);
      expect(bytes.length).toBe(43);
      const hex = bytes.toString("hex");
      expect(seen.has(hex)).toBe(false);
      seen.add(hex);
    }
  });

  it("returns a copy the caller owns: writing to it changes no later draw", () => {
    const first = randomFromPool(16);
    first.fill(0xff);
    for (let i = 0; i < 300; i++) expect(randomFromPool(16).equals(Buffer.alloc(16, 0xff))).toBe(false);
  });

  it("draws large sizes straight from the CSPRNG", () => {
    const big = randomFromPool(4096);
    expect(big.length).toBe(4096);
    expect(big.equals(Buffer.alloc(4096))).toBe(false);
  });

  it("gives bytes that look uniform (each byte value about equally often)", () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 1000; i++) for (const b of randomFromPool(64)) counts[b] = (counts[b] ?? 0) + 1;
    // 64,000 bytes: 250 expected per value; a broken pool (zeros, repeats) fails this by far.
    for (const c of counts) {
      expect(c).toBeGreaterThan(150);
      expect(c).toBeLessThan(360);
    }
  });
});
