import { createTessera, DEFAULTS, type TesseraOptions } from "@tessera/core";
import { createSqliteStore } from "@tessera/store-sqlite";
import { describe, expect, it } from "vitest";
import { keyReloadInterval, resolveOptions } from "./options.js";
import { AUDIENCE, ISSUER, MASTER_KEY, setUp } from "./test-support/harness.js";

const store = createSqliteStore({ path: ":memory:" });
const base: TesseraOptions = { store, masterKey: MASTER_KEY, issuer: ISSUER, audience: AUDIENCE };

describe("options", () => {
  it("fills in the documented defaults", () => {
    expect(resolveOptions(base)).toEqual({
      issuer: ISSUER,
      audience: AUDIENCE,
      appUrl: ISSUER,
      ...DEFAULTS,
      roles: {},
    });
    expect(DEFAULTS).toMatchObject({
      accessTokenTtlMs: 15 * 60_000,
      refreshTtlMs: 7 * 86_400_000,
      sessionMaxAgeMs: 30 * 86_400_000,
      refreshGraceMs: 10_000,
      signingAlg: "EdDSA",
      clientId: "tessera",
      registration: "open",
      refreshContext: "audit",
      auditRetentionMs: 90 * 86_400_000,
      passwordReset: true,
      passwordResetTtlMs: 30 * 60_000,
      emailVerification: "optional",
    });
  });

  it.each<[string, Partial<Record<keyof TesseraOptions, unknown>>]>([
    ["a 16-byte master key", { masterKey: new Uint8Array(16) }],
    ["a 33-byte master key", { masterKey: new Uint8Array(33) }],
    ["a master key string", { masterKey: "x".repeat(32) }],
    ["no store", { store: undefined }],
    ["an empty issuer", { issuer: "" }],
    ["an empty audience", { audience: [] }],
    ["a non-string audience", { audience: [1] }],
    ["a zero access-token lifetime", { accessTokenTtlMs: 0 }],
    ["a negative refresh lifetime", { refreshTtlMs: -1 }],
    ["a fractional session age", { sessionMaxAgeMs: 1.5 }],
    ["an appUrl with a fragment", { appUrl: "https://app.example/#x" }],
    ["an unknown emailVerification", { emailVerification: "maybe" }],
    ["a mailer without send", { mailer: {} }],
    ["an infinite grace", { refreshGraceMs: Number.POSITIVE_INFINITY }],
    ["a grace as long as the refresh lifetime", { refreshGraceMs: 60_000, refreshTtlMs: 60_000 }],
    ["an unknown algorithm", { signingAlg: "none" }],
    ["an unknown registration mode", { registration: "invite" }],
    ["an unknown context mode", { refreshContext: "paranoid" }],
    ["an empty client id", { clientId: "" }],
    ["a hasher without verify", { passwordHasher: { hash: async () => "" } }],
    ["a clock without now", { clock: {} }],
  ])("refuses %s with a TypeError", (_name, change) => {
    expect(() => resolveOptions({ ...base, ...change } as TesseraOptions)).toThrow(TypeError);
  });

  it("accepts grace 0 and a list of audiences", () => {
    expect(resolveOptions({ ...base, refreshGraceMs: 0, audience: ["a", "b"] })).toMatchObject({
      refreshGraceMs: 0,
      audience: ["a", "b"],
    });
  });

  it("createTessera validates before touching the store, and exposes the resolved options", async () => {
    await expect(createTessera({ ...base, masterKey: new Uint8Array(31) })).rejects.toThrow(TypeError);
    const h = await setUp({ refreshGraceMs: 0 });
    expect(h.tessera.options.refreshGraceMs).toBe(0);
    expect(Object.isFrozen(h.tessera.options)).toBe(true);
    await h.close();
  });
});

describe("keyReloadIntervalMs", () => {
  it("is whole milliseconds of at least one second", async () => {
    expect(keyReloadInterval(1_000)).toBe(1_000);
    for (const bad of [999, 0, 1.5, Number.NaN]) expect(() => keyReloadInterval(bad)).toThrow(TypeError);
    await expect(createTessera({ ...base, keyReloadIntervalMs: 10 })).rejects.toThrow(/keyReloadIntervalMs/);
  });
});
