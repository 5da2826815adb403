import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createTessera,
  ManualClock,
  rewrapSigningKeys,
  type SigningAlg,
  signingKeySealKey,
  TesseraError,
} from "@tessera/core";
import { createTestHasher } from "@tessera/core/testing";
import { createSqliteStore } from "@tessera/store-sqlite";
import { createLocalJWKSet, exportJWK, jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import {
  AUDIENCE,
  type Harness,
  ISSUER,
  MASTER_KEY,
  outcome,
  setUp,
  signUpAndIn,
  T0,
} from "../test-support/harness.js";
import { loadSigningKey } from "./load.js";

let h: Harness;
afterEach(async () => {
  await h.close();
});

const kidOf = (jwt: string) =>
  (JSON.parse(Buffer.from(jwt.split(".")[0] ?? "", "base64url").toString()) as { kid: string }).kid;
const statuses = async () =>
  Object.fromEntries((await h.tessera.listKeys()).map((k) => [k.kid, k.status] as const));

describe("first start", () => {
  it("creates an active and a next key of the configured algorithm, both published", async () => {
    h = await setUp();
    const keys = await h.tessera.listKeys();
    expect(keys.map((k) => k.status).sort()).toEqual(["active", "next"]);
    expect(keys.every((k) => k.alg === "EdDSA")).toBe(true);
    const { keys: published } = await h.tessera.jwks();
    expect(published.map((k) => k.kid)).toEqual([
      keys.find((k) => k.status === "active")?.kid,
      keys.find((k) => k.status === "next")?.kid,
    ]);
    expect(await h.store.listAudit({ type: "key.created" })).toHaveLength(2);
    // a restart over the same store creates nothing new
    await h.another();
    expect(await h.tessera.listKeys()).toHaveLength(2);
  });
});

describe("instances starting together on one fresh store", () => {
  // Regression: two instances starting at once on an empty database each created an active key,
  // and each published only its own, so a token signed by one failed at the other's JWKS.
  it("agree on one active key and publish the same JWKS", async () => {
    h = await setUp(); // only so afterEach has something to close
    const dir = mkdtempSync(join(tmpdir(), "tessera-ring-"));
    const path = join(dir, "keys.db");
    const stores = [createSqliteStore({ path }), createSqliteStore({ path }), createSqliteStore({ path })];
    try {
      await stores[0]?.migrate();
      const instances = await Promise.all(
        stores.map((store) =>
          createTessera({
            store,
            masterKey: MASTER_KEY,
            issuer: ISSUER,
            audience: AUDIENCE,
            clock: new ManualClock(T0),
            passwordHasher: createTestHasher(),
          }),
        ),
      );
      const listed = await instances[0]?.listKeys();
      expect(listed?.map((k) => k.status).sort()).toEqual(["active", "next"]);
      const published = await Promise.all(instances.map((t) => t.jwks()));
      for (const jwks of published) expect(jwks).toEqual(published[0]);
      // Every instance signs with the one active key, which every instance publishes.
      const { tokens } = await signUpAndIn(instances[1] as NonNullable<(typeof instances)[1]>);
      await expect(instances[2]?.authenticate(tokens.accessToken)).resolves.toMatchObject({
        sid: tokens.sessionId,
      });
    } finally {
      for (const store of stores) await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a rotation planned from a ring that changed meanwhile applies nothing", async () => {
    h = await setUp();
    const other = await h.another();
    const before = await statuses();
    const results = await Promise.allSettled([h.tessera.rotateKeys(), other.rotateKeys()]);
    const rejected = results.filter((r) => r.status === "rejected");
    // Both planned from the same ring: exactly one lands, the other is told the ring changed.
    expect(rejected).toHaveLength(1);
    for (const r of rejected) {
      expect(r.status === "rejected" && r.reason instanceof TesseraError && r.reason.code).toBe(
        "key_ring_changed",
      );
    }
    const after = await statuses();
    const active = Object.entries(after).filter(([, status]) => status === "active");
    expect(active).toHaveLength(1);
    expect(Object.keys(after).length).toBe(Object.keys(before).length + 1);
  });
});

describe("rotation", () => {
  it("publishes the new kid before it signs: a verifier with the old cached JWKS accepts new tokens", async () => {
    h = await setUp();
    const cached = await h.tessera.jwks();
    const { tokens: old } = await signUpAndIn(h.tessera);
    const before = await statuses();
    await h.tessera.rotateKeys();
    const { tokens: fresh } = await signUpAndIn(h.tessera);
    expect(kidOf(fresh.accessToken)).not.toBe(kidOf(old.accessToken));
    expect(before[kidOf(fresh.accessToken)]).toBe("next");
    const options = { issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(h.clock.now()) };
    await jwtVerify(fresh.accessToken, createLocalJWKSet(cached), options);
    await jwtVerify(old.accessToken, createLocalJWKSet(await h.tessera.jwks()), options);
    expect(await outcome(h.tessera.authenticate(old.accessToken))).toBe("ok");

    const after = await statuses();
    expect(after[kidOf(old.accessToken)]).toBe("previous");
    expect(after[kidOf(fresh.accessToken)]).toBe("active");
    expect(Object.values(after).sort()).toEqual(["active", "next", "previous"]);
    expect(await h.store.listAudit({ type: "key.rotated" })).toHaveLength(1);
  });

  it("retire removes a previous key from the JWKS and its tokens stop verifying", async () => {
    h = await setUp();
    const { tokens } = await signUpAndIn(h.tessera);
    const oldKid = kidOf(tokens.accessToken);
    expect(await outcome(h.tessera.retireKey(oldKid))).toBe("invalid_input"); // still active
    await h.tessera.rotateKeys();
    const active = (await h.tessera.listKeys()).find((k) => k.status === "active")?.kid as string;
    expect(await outcome(h.tessera.retireKey(active))).toBe("invalid_input");
    expect(await outcome(h.tessera.retireKey("unknown"))).toBe("not_found");
    await h.tessera.retireKey(oldKid);
    expect((await h.tessera.jwks()).keys.map((k) => k.kid)).not.toContain(oldKid);
    expect(await outcome(h.tessera.authenticate(tokens.accessToken))).toBe("token_invalid");
    expect(await h.store.listAudit({ type: "key.retired" })).toHaveLength(1);
  });

  it("another instance verifies new kids at once and signs with the new key after its reload interval", async () => {
    h = await setUp();
    const b = await h.another();
    await h.tessera.rotateKeys();
    await h.tessera.rotateKeys(); // a kid instance b has never seen
    const { tokens } = await signUpAndIn(h.tessera);
    expect(await outcome(b.authenticate(tokens.accessToken))).toBe("ok");
    const active = (await h.tessera.listKeys()).find((k) => k.status === "active")?.kid;
    h.clock.advance(60_000);
    const { tokens: fromB } = await signUpAndIn(b);
    expect(kidOf(fromB.accessToken)).toBe(active);
  });

  it("re-reads the store for unknown kids at most once per cool-down", async () => {
    h = await setUp();
    let reads = 0;
    const counting = Object.create(h.store) as typeof h.store;
    counting.listSigningKeys = () => {
      reads++;
      return h.store.listSigningKeys();
    };
    const tessera = await h.another({ store: counting });
    const { tokens } = await signUpAndIn(tessera);
    const [head, body, sig] = tokens.accessToken.split(".") as [string, string, string];
    const header = JSON.parse(Buffer.from(head, "base64url").toString()) as Record<string, string>;
    const withKid = (kid: string) =>
      `${Buffer.from(JSON.stringify({ ...header, kid })).toString("base64url")}.${body}.${sig}`;
    const before = reads;
    for (let i = 0; i < 10; i++)
      expect(await outcome(tessera.authenticate(withKid(`unknown-${i}`)))).toBe("token_invalid");
    expect(reads - before).toBe(1);
    h.clock.advance(5_000);
    expect(await outcome(tessera.authenticate(withKid("unknown-again")))).toBe("token_invalid");
    expect(reads - before).toBe(2);
  });

  it("another instance stops accepting a key retired elsewhere within its reload interval", async () => {
    h = await setUp();
    const b = await h.another();
    const { tokens } = await signUpAndIn(h.tessera);
    await h.tessera.rotateKeys();
    await h.tessera.retireKey(kidOf(tokens.accessToken));
    h.clock.advance(60_000 - 1);
    expect(await outcome(b.authenticate(tokens.accessToken))).toBe("ok");
    h.clock.advance(1);
    expect(await outcome(b.authenticate(tokens.accessToken))).toBe("token_invalid");
  });

  it("switches to a key of the new algorithm when the configuration changes", async () => {
    h = await setUp();
    const { tokens } = await signUpAndIn(h.tessera);
    const es = await h.another({ signingAlg: "ES256" });
    const { tokens: fresh } = await signUpAndIn(es);
    const keys = await es.listKeys();
    expect(keys.find((k) => k.kid === kidOf(fresh.accessToken))).toMatchObject({
      alg: "ES256",
      status: "active",
    });
    expect(keys.find((k) => k.status === "next")?.alg).toBe("ES256");
    expect(keys.find((k) => k.kid === kidOf(tokens.accessToken))?.status).toBe("previous");
    expect(await outcome(es.authenticate(tokens.accessToken))).toBe("ok");
  });
});

describe("the master key", () => {
  it("a different master key fails start-up with master_key_mismatch", async () => {
    h = await setUp();
    expect(await outcome(h.another({ masterKey: new Uint8Array(32).fill(8) }))).toBe("master_key_mismatch");
    expect(await outcome(h.another({ masterKey: MASTER_KEY }))).toBe("ok");
  });

  it("rewrap re-seals every key under a new master key, idempotently", async () => {
    h = await setUp();
    await h.tessera.rotateKeys();
    const newMasterKey = new Uint8Array(32).fill(9);
    expect(await rewrapSigningKeys({ store: h.store, oldMasterKey: MASTER_KEY, newMasterKey })).toBe(3);
    expect(await rewrapSigningKeys({ store: h.store, oldMasterKey: MASTER_KEY, newMasterKey })).toBe(0);
    expect(await outcome(h.another({ masterKey: newMasterKey }))).toBe("ok");
    expect(await outcome(h.another({ masterKey: MASTER_KEY }))).toBe("master_key_mismatch");
    expect(
      await outcome(
        rewrapSigningKeys({
          store: h.store,
          oldMasterKey: MASTER_KEY,
          newMasterKey: new Uint8Array(32).fill(1),
        }),
      ),
    ).toBe("master_key_mismatch");
  });
});

describe("every algorithm", () => {
  const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];

  it.each<SigningAlg>(["EdDSA", "ES256", "RS256", "HS256"])(
    "%s signs tokens that verify, and publishes public parts only",
    async (alg) => {
      h = await setUp({ signingAlg: alg });
      const { tokens } = await signUpAndIn(h.tessera);
      expect(await outcome(h.tessera.authenticate(tokens.accessToken))).toBe("ok");
      const jwks = await h.tessera.jwks();
      const text = JSON.stringify(jwks);
      for (const record of await h.store.listSigningKeys()) {
        const privateJwk = await exportJWK(loadSigningKey(record, signingKeySealKey(MASTER_KEY)).privateKey);
        for (const member of PRIVATE_MEMBERS) {
          const value = (privateJwk as Record<string, unknown>)[member];
          if (typeof value === "string") expect(text).not.toContain(value);
        }
      }
      if (alg === "HS256") {
        expect(jwks.keys).toEqual([]); // secrets are never published
        return;
      }
      expect(jwks.keys).toHaveLength(2);
      for (const jwk of jwks.keys) {
        expect(jwk).toMatchObject({ alg, use: "sig" });
        for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
      }
      await jwtVerify(tokens.accessToken, createLocalJWKSet(jwks), {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [alg],
        currentDate: new Date(h.clock.now()),
      });
    },
  );
});
