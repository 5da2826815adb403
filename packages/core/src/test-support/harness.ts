// Shared set-up for core tests: a real SQLite store, a manual clock and the cheap argon2id hasher.
// Not part of the package build (excluded in tsconfig.json); type-checked with the tests.
import {
  type ClientContext,
  createTessera,
  isTesseraError,
  ManualClock,
  type Store,
  type Tessera,
  type TesseraOptions,
  type TokenSet,
} from "@tessera/core";
import { createTestHasher } from "@tessera/core/testing";
import { createSqliteStore } from "@tessera/store-sqlite";

export const T0 = Date.parse("2026-01-01T00:00:00.000Z");
export const MASTER_KEY = new Uint8Array(32).fill(7);
export const ISSUER = "https://auth.test";
export const AUDIENCE = "api";
export const PASSWORD = "correct horse battery staple";

export const CHROME =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
export const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
export const CTX: ClientContext = { ip: "203.0.113.5", userAgent: CHROME };

export interface Harness {
  store: Store;
  clock: ManualClock;
  tessera: Tessera;
  /** Create the service again over the same store (another instance, or a restart). */
  another(overrides?: Partial<TesseraOptions>): Promise<Tessera>;
  close(): Promise<void>;
}

export async function setUp(
  overrides: Partial<TesseraOptions> = {},
  storeOptions: { path?: string } = {},
): Promise<Harness> {
  const store = createSqliteStore({ path: storeOptions.path ?? ":memory:" });
  await store.migrate();
  const clock = new ManualClock(T0);
  const make = (more: Partial<TesseraOptions> = {}) =>
    createTessera({
      store,
      masterKey: MASTER_KEY,
      issuer: ISSUER,
      audience: AUDIENCE,
      clock,
      passwordHasher: createTestHasher(),
      ...overrides,
      ...more,
    });
  const tessera = await make();
  return { store, clock, tessera, another: make, close: () => store.close() };
}

let counter = 0;
/** Register a fresh user and sign in once. */
export async function signUpAndIn(
  tessera: Tessera,
  options: { email?: string; context?: ClientContext; dpopJkt?: string } = {},
): Promise<{ email: string; tokens: TokenSet }> {
  const email = options.email ?? `user${++counter}@example.com`;
  await tessera.register({ email, password: PASSWORD, context: CTX });
  const tokens = await tessera.login({
    email,
    password: PASSWORD,
    context: options.context ?? CTX,
    ...(options.dpopJkt === undefined ? {} : { dpopJkt: options.dpopJkt }),
  });
  return { email, tokens };
}

/** The TesseraError code a promise rejects with, or "ok" when it resolves. */
export async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    if (isTesseraError(error)) return error.code;
    throw error;
  }
}

/**
 * A store whose `method` stops at a gate before calling the real one: `arrived` resolves when a
 * call reaches the gate, `release()` lets it (and every later call) through. For races that need
 * one caller held at an exact point while another commits.
 *
 * @example
 * const gate = gatedStore(h.store, "getUserById");
 * const slow = await h.another({ store: gate.store });
 */
export function gatedStore<K extends keyof Store>(
  real: Store,
  method: K,
): { store: Store; arrived: Promise<void>; release: () => void } {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let reached: () => void = () => {};
  const arrived = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const store: Store = Object.create(real) as Store;
  const original = real[method] as (...args: unknown[]) => Promise<unknown>;
  (store as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
    reached();
    await held;
    return original.apply(real, args);
  };
  return { store, arrived, release };
}
