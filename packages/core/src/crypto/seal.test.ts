import { createSecretKey, hkdfSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { deriveKey, keyInput, open, seal } from "./seal.js";

describe("seal/open", () => {
  const key = randomBytes(32);
  const plain = Buffer.from("the private key");

  it("round-trips and uses a fresh IV each time", () => {
    const a = seal(key, plain, "kid-1");
    expect(open(key, a, "kid-1")).toEqual(plain);
    expect(seal(key, plain, "kid-1")).not.toBe(a);
    expect(a).not.toContain(plain.toString("base64url"));
  });

  it("does not open with another key, another AAD, or any tampering", () => {
    const sealed = seal(key, plain, "kid-1");
    expect(open(randomBytes(32), sealed, "kid-1")).toBeNull();
    expect(open(key, sealed, "kid-2")).toBeNull();
    const [v, iv, body] = sealed.split(".") as [string, string, string];
    const flip = (s: string) => {
      const b = Buffer.from(s, "base64url");
      b[0] = (b[0] ?? 0) ^ 1;
      return b.toString("base64url");
    };
    expect(open(key, `${v}.${flip(iv)}.${body}`, "kid-1")).toBeNull();
    expect(open(key, `${v}.${iv}.${flip(body)}`, "kid-1")).toBeNull();
    expect(open(key, `v2.${iv}.${body}`, "kid-1")).toBeNull();
    expect(open(key, `${v}.${iv}.${body.slice(0, 10)}`, "kid-1")).toBeNull();
    expect(open(key, "garbage", "kid-1")).toBeNull();
  });

  it("opens the same with the key as bytes or as a KeyObject, whichever way keyInput hands it to node:crypto", () => {
    const bytes = randomBytes(32);
    const sealed = seal(bytes, Buffer.from("successor"), "row-1");
    expect(open(createSecretKey(bytes), sealed, "row-1")?.toString()).toBe("successor");
    expect(
      open(bytes, seal(createSecretKey(bytes), Buffer.from("again"), "row-2"), "row-2")?.toString(),
    ).toBe("again");
    const wrapped = keyInput(bytes);
    expect(Number(process.versions.node.split(".")[0]) >= 22).toBe(!(wrapped instanceof Uint8Array));
  });

  it("derives different keys for different labels and salts", () => {
    const master = randomBytes(32);
    const a = deriveKey(master, "", "tessera/csrf/v1");
    expect(a).toHaveLength(32);
    expect(deriveKey(master, "", "tessera/csrf/v1")).toEqual(a);
    expect(deriveKey(master, "", "tessera/keys/v1")).not.toEqual(a);
    expect(deriveKey(master, "salt", "tessera/csrf/v1")).not.toEqual(a);
  });
});

describe("deriveKey", () => {
  it("is exactly HKDF-SHA256 (node:crypto hkdfSync) to 32 bytes, so stored keys keep opening", () => {
    const cases: Array<[Uint8Array | string, Uint8Array | string, string]> = [
      [new Uint8Array(32).fill(7), "", "tessera/csrf/v1"],
      [randomBytes(32), "", "tessera/keys/v1"],
      [randomBytes(32).toString("base64url"), randomBytes(16).toString("base64url"), "tessera/grace/v1"],
      ["", randomBytes(64), "é ünïcode info"],
    ];
    for (const [ikm, salt, info] of cases) {
      expect(deriveKey(ikm, salt, info)).toEqual(Buffer.from(hkdfSync("sha256", ikm, salt, info, 32)));
    }
    expect(deriveKey("a", "", "x")).not.toEqual(deriveKey("a", "", "y"));
  });
});
