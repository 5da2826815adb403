import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { legacyHashesOf } from "../testing/legacy-hashes.js";
import { parseLegacyHash, verifyLegacyHash } from "./legacy-hashes.js";
import { sharedHashPool } from "./passwords.js";

const PASSWORD = "imported pässword 1";
const b64 = (bytes: Buffer) => bytes.toString("base64").replace(/=+$/, "");

async function check(hash: string, password: string): Promise<boolean> {
  const parsed = parseLegacyHash(hash);
  if (!parsed.ok) throw new Error(`not parsed: ${parsed.reason}`);
  return verifyLegacyHash(parsed.hash, password);
}

describe("legacy password hashes", () => {
  it("verifies every accepted spelling made by its library, and refuses a wrong password", async () => {
    const hashes = await legacyHashesOf(PASSWORD);
    for (const [kind, hash] of Object.entries(hashes)) {
      expect([kind, await check(hash, PASSWORD)]).toEqual([kind, true]);
      expect([kind, await check(hash, `${PASSWORD}x`)]).toEqual([kind, false]);
    }
  });

  it("verifies hashes published by other implementations (passlib, PHP)", async () => {
    // passlib's documentation; PHP's password_verify documentation ($2y$).
    const vectors: Array<[string, string]> = [
      [
        "toomanysecrets",
        "$pbkdf2-sha256$29000$N2YMIWQsBWBMae09x1jrPQ$1t8iyB2A.WF/Z5JZv.lfCIhXXN33N23OSgQYThBYRfk",
      ],
      ["password", "$pbkdf2-sha256$6400$0ZrzXitFSGltTQnBWOsdAw$Y11AchqV4b0sUisdZd0Xr97KWoymNE0LNNrnEgY4H9M"],
      ["password", "$pbkdf2-sha256$8000$XAuBMIYQQogxRg$tRRlz8hYn63B9LYiCd6PRo6FMiunY9ozmMMI3srxeRE"],
      ["rasmuslerdorf", "$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq"],
    ];
    for (const [password, hash] of vectors) {
      expect(await check(hash, password)).toBe(true);
      expect(await check(hash, `${password}!`)).toBe(false);
    }
  });

  it("refuses unknown schemes, misspellings and costs past the bounds, without throwing", () => {
    const salt = b64(randomBytes(16));
    const digest = b64(randomBytes(32));
    const cases: Array<[unknown, string]> = [
      ["5f4dcc3b5aa765d61d8327deb882cf99", "unsupported_hash"],
      ["$1$saltsalt$abcdefghijklmnopqrstuv", "unsupported_hash"],
      ["$argon2d$v=19$m=8,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "unsupported_hash"],
      [42, "malformed_hash"],
      ["", "unsupported_hash"],
      ["$2b$10$tooShort", "malformed_hash"],
      ["$2b$03$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui", "malformed_hash"],
      ["$2b$15$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui", "hash_cost_out_of_bounds"],
      ["$2b$31$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui", "hash_cost_out_of_bounds"],
      [`$argon2id$v=19$m=1048576,t=1,p=1$${salt}$${digest}`, "hash_cost_out_of_bounds"],
      [`$argon2id$v=19$m=19456,t=11,p=1$${salt}$${digest}`, "hash_cost_out_of_bounds"],
      [`$argon2id$v=16$m=19456,t=2,p=1$${salt}$${digest}`, "malformed_hash"],
      [`$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$${digest}`, "malformed_hash"], // 4-byte salt
      [`$argon2id$v=19$m=19456,t=2,p=1$${salt}`, "malformed_hash"],
      [`$scrypt$ln=21,r=1,p=1$${salt}$${digest}`, "hash_cost_out_of_bounds"],
      [`$scrypt$ln=18,r=8,p=1$${salt}$${digest}`, "hash_cost_out_of_bounds"], // 256 MiB
      [`$scrypt$ln=16,r=8,p=16$${salt}$${digest}`, "hash_cost_out_of_bounds"], // N·r·p = 2^23
      [`$scrypt$ln=0,r=8,p=1$${salt}$${digest}`, "malformed_hash"],
      [`$scrypt$ln=4,r=8,p=1$${salt}$c2hvcnQ`, "malformed_hash"], // 5-byte hash
      [`$scrypt$ln=4,r=8,p=1$${salt}$${digest}=`, "malformed_hash"],
      [`$pbkdf2-sha256$i=2000001$${salt}$${digest}`, "hash_cost_out_of_bounds"],
      [`$pbkdf2-sha256$99999999$${salt}$${digest}`, "hash_cost_out_of_bounds"],
      [`$pbkdf2-sha256$i=0$${salt}$${digest}`, "malformed_hash"],
      [`$pbkdf2-sha256$i=1000$${salt}$${digest}$extra`, "malformed_hash"],
      [`$pbkdf2-sha256$i=1000$sa!t$${digest}`, "malformed_hash"],
      [`$pbkdf2-sha256$i=1000$${"A".repeat(600)}$${digest}`, "malformed_hash"],
    ];
    for (const [hash, reason] of cases) {
      expect([hash, parseLegacyHash(hash)]).toEqual([hash, { ok: false, reason }]);
    }
  });

  it("accepts the largest costs within the bounds", () => {
    const salt = b64(randomBytes(16));
    const digest = b64(randomBytes(32));
    for (const hash of [
      `$argon2id$v=19$m=131072,t=10,p=16$${salt}$${digest}`,
      `$scrypt$ln=17,r=8,p=4$${salt}$${digest}`,
      `$pbkdf2-sha256$i=2000000$${salt}$${digest}`,
      "$2b$14$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui",
    ]) {
      expect(parseLegacyHash(hash).ok).toBe(true);
    }
  });

  it("verifies a cost-12 bcrypt hash on a pool thread: the event loop keeps turning meanwhile", async () => {
    // bcryptjs is plain JavaScript: on the event loop this is ~250 ms of CPU, which its own
    // "async" API yields only every 100 ms of. A 1 ms timer counts the loop's turns meanwhile.
    const parsed = parseLegacyHash("$2b$12$5Oij2Y42gASqOptE9RV91.uAvBf12YeExuzW4H/WNG9fy48q9lfPa");
    if (!parsed.ok) throw new Error(parsed.reason);
    const jobsBefore = sharedHashPool().jobs().verifyBcrypt;
    let turns = 0;
    let timer = setTimeout(function turn() {
      turns++;
      timer = setTimeout(turn, 1);
    }, 1);
    try {
      expect(await verifyLegacyHash(parsed.hash, "correct horse battery staple")).toBe(true);
    } finally {
      clearTimeout(timer);
    }
    expect(sharedHashPool().jobs().verifyBcrypt).toBe(jobsBefore + 1);
    // Tens of turns at the least (~250 on an idle CPU); on the event loop it was ≤ 1 per 100 ms.
    expect(turns).toBeGreaterThan(50);
  }, 30_000);
});
