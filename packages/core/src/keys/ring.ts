import type { PublicJwk, SigningAlg } from "../api.js";
import type { AuditLog } from "../audit/log.js";
import type { Clock } from "../clock.js";
import { isTesseraError, TesseraError } from "../errors.js";
import type { KeyChanges, SigningKeyRecord, Store } from "../store.js";
import type { SigningKey } from "../tokens/access.js";
import { generateSigningKey, toKeyRecord } from "./generate.js";
import { loadSigningKey } from "./load.js";

export interface KeyRingOptions {
  store: Store;
  clock: Clock;
  /** 32 bytes, derived from the master key, that seal private keys. */
  sealKey: Uint8Array;
  /** The configured signing algorithm. */
  alg: SigningAlg;
  audit: AuditLog;
  /** Re-read the keys from the store this often, lazily on use. Default 60 s. */
  reloadIntervalMs?: number;
  /** At most one extra re-read per this period for an unknown `kid`. Default 5 s. */
  unknownKidCooldownMs?: number;
}

type KeyInfo = Omit<SigningKeyRecord, "privateSealed">;

interface Entry {
  info: KeyInfo;
  key: SigningKey;
}

const PUBLISHED_ORDER: Record<string, number> = { active: 0, next: 1, previous: 2 };

/** How often start-up re-plans after losing a key-ring race to another instance. */
const SETUP_ATTEMPTS = 5;

/** The (kid, status) set a change is planned from, for the store's compare-and-set. */
function snapshot(records: SigningKeyRecord[]): Array<Pick<SigningKeyRecord, "kid" | "status">> {
  return records.map(({ kid, status }) => ({ kid, status }));
}

function withoutSecret({ privateSealed: _, ...info }: SigningKeyRecord): KeyInfo {
  return info;
}

/** The newest key of a status (by activation, then creation, then kid, so every instance agrees). */
function newest(
  records: SigningKeyRecord[],
  status: SigningKeyRecord["status"],
): SigningKeyRecord | undefined {
  return records
    .filter((r) => r.status === status)
    .sort(
      (a, b) =>
        (b.activatedAt ?? 0) - (a.activatedAt ?? 0) || b.createdAt - a.createdAt || (a.kid < b.kid ? 1 : -1),
    )[0];
}

/**
 * The signing key ring: `next → active → previous → retired`.
 *
 * - One `active` key signs. The `next` key is published in the JWKS before it ever signs, so a
 *   verifier holding a cached JWKS already knows the kid when rotation promotes it; `previous`
 *   keys stay published (and verifying) until retired, so tokens they signed stay valid.
 * - Private keys are sealed under the master key at rest and imported once per process.
 * - Several instances share the ring through the store: each re-reads it every
 *   `reloadIntervalMs` (lazily) and, at most once per cool-down, when it meets an unknown kid.
 *   Concurrent `rotate` calls on two instances are not serialised (rotation is an operator
 *   action); the ring then picks the newest active key deterministically.
 *
 * @example
 * const ring = await KeyRing.open({ store, clock, sealKey, alg: "EdDSA", audit });
 * const key = await ring.signingKey();
 */
export class KeyRing {
  readonly #o: Required<KeyRingOptions>;
  #entries = new Map<string, Entry>();
  #active: SigningKey | undefined;
  #loadedAt = Number.NEGATIVE_INFINITY;
  #lastMissReload = Number.NEGATIVE_INFINITY;
  #loading: Promise<void> | null = null;

  private constructor(options: KeyRingOptions) {
    this.#o = { reloadIntervalMs: 60_000, unknownKidCooldownMs: 5_000, ...options };
  }

  /**
   * Load the ring, creating the first `active` and `next` keys on a fresh store, and rotating to a
   * key of the configured algorithm when the active key has another one. Throws
   * `master_key_mismatch` when a stored key does not open.
   */
  static async open(options: KeyRingOptions): Promise<KeyRing> {
    const ring = new KeyRing(options);
    await ring.#setUp();
    return ring;
  }

  /**
   * Instances starting together on one store plan from the same ring; every change is a
   * compare-and-set on that ring (`expect`), so one lands and the others re-read and find nothing
   * left to do. Without it, two fresh instances would each create an active key and publish only
   * their own.
   */
  async #setUp(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#setUpOnce();
        return;
      } catch (error) {
        if (!isTesseraError(error, "key_ring_changed") || attempt >= SETUP_ATTEMPTS) throw error;
      }
    }
  }

  async #setUpOnce(): Promise<void> {
    const records = await this.#o.store.listSigningKeys();
    this.#apply(records); // opens every live key: a wrong master key fails here, before anything is written
    const active = newest(records, "active");
    const next = newest(records, "next");
    if (active === undefined) {
      await this.#change(records, { promote: undefined, reason: "initial" });
    } else if (active.alg !== this.#o.alg) {
      await this.#change(records, {
        promote: next?.alg === this.#o.alg ? next : undefined,
        reason: "algorithm_changed",
      });
    } else if (next === undefined || next.alg !== this.#o.alg) {
      const now = this.#o.clock.now();
      const fresh = toKeyRecord(await generateSigningKey(this.#o.alg), this.#o.sealKey, "next", now);
      const updates =
        next === undefined ? [] : [{ kid: next.kid, status: "retired" as const, retiredAt: now }];
      await this.#o.store.applyKeyChanges({ expect: snapshot(records), inserts: [fresh], updates });
      await this.#o.audit({ type: "key.created", data: { kid: fresh.kid, alg: fresh.alg, status: "next" } });
      await this.#reload();
    }
  }

  /**
   * The one rotation step: `promote` (a next key) or a brand-new key becomes active, the active
   * key becomes previous, every other next key is retired (it never signed), and a new next key
   * is created.
   */
  async #change(
    records: SigningKeyRecord[],
    plan: { promote: SigningKeyRecord | undefined; reason: string },
  ): Promise<void> {
    const { store, clock, sealKey, alg, audit } = this.#o;
    const now = clock.now();
    const oldActive = newest(records, "active");
    const changes: Required<KeyChanges> = { expect: snapshot(records), inserts: [], updates: [] };
    let newActiveKid: string;
    if (plan.promote !== undefined) {
      newActiveKid = plan.promote.kid;
      changes.updates.push({ kid: newActiveKid, status: "active", activatedAt: now });
    } else {
      const created = toKeyRecord(await generateSigningKey(alg), sealKey, "active", now);
      newActiveKid = created.kid;
      changes.inserts.push(created);
    }
    for (const r of records) {
      if (r.kid === newActiveKid) continue;
      if (r.status === "active") changes.updates.push({ kid: r.kid, status: "previous" });
      if (r.status === "next") changes.updates.push({ kid: r.kid, status: "retired", retiredAt: now });
    }
    const next = toKeyRecord(await generateSigningKey(alg), sealKey, "next", now);
    changes.inserts.push(next);
    await store.applyKeyChanges(changes);
    for (const created of changes.inserts) {
      await audit({
        type: "key.created",
        data: { kid: created.kid, alg: created.alg, status: created.status },
      });
    }
    if (oldActive !== undefined) {
      await audit({
        type: "key.rotated",
        data: { kid: newActiveKid, previous: oldActive.kid, reason: plan.reason },
      });
    }
    await this.#reload();
  }

  /** Replace the in-memory view with `records`; keys already imported are reused. */
  #apply(records: SigningKeyRecord[]): void {
    const entries = new Map<string, Entry>();
    for (const record of records) {
      if (record.status === "retired") continue;
      const known = this.#entries.get(record.kid);
      const key =
        known !== undefined && known.info.alg === record.alg
          ? known.key
          : loadSigningKey(record, this.#o.sealKey);
      entries.set(record.kid, { info: withoutSecret(record), key });
    }
    const active = newest(records, "active");
    this.#entries = entries;
    this.#active = active === undefined ? undefined : entries.get(active.kid)?.key;
    this.#loadedAt = this.#o.clock.now();
  }

  #reload(): Promise<void> {
    this.#loading ??= this.#o.store
      .listSigningKeys()
      .then((records) => this.#apply(records))
      .finally(() => {
        this.#loading = null;
      });
    return this.#loading;
  }

  async #fresh(): Promise<void> {
    if (this.#o.clock.now() - this.#loadedAt < this.#o.reloadIntervalMs) return;
    try {
      await this.#reload();
    } catch (error) {
      // A store hiccup must not stop signing with keys we already hold; try again soon.
      if (this.#active === undefined) throw error;
      this.#loadedAt = this.#o.clock.now() - this.#o.reloadIntervalMs + this.#o.unknownKidCooldownMs;
    }
  }

  /**
   * The active key, for signing.
   *
   * @example
   * const jwt = signAccessToken(await ring.signingKey(), claims);
   */
  async signingKey(): Promise<SigningKey> {
    await this.#fresh();
    if (this.#active === undefined) throw new TesseraError("key_unavailable", "no active signing key");
    return this.#active;
  }

  /**
   * A published (next, active or previous) key by kid, re-reading the store at most once per
   * cool-down when the kid is unknown (another instance may have rotated).
   *
   * @example
   * const key = await ring.find(header.kid);
   */
  async find(kid: string): Promise<SigningKey | undefined> {
    await this.#fresh();
    const hit = this.#entries.get(kid);
    if (hit !== undefined) return hit.key;
    const now = this.#o.clock.now();
    if (now - this.#lastMissReload < this.#o.unknownKidCooldownMs) return undefined;
    this.#lastMissReload = now;
    await this.#reload();
    return this.#entries.get(kid)?.key;
  }

  /**
   * The public JWKS: next, active and previous asymmetric keys, public members only, each with
   * `kid`, `alg` and `use: "sig"`. HS256 secrets are never published.
   *
   * @example
   * const { keys } = await ring.jwks();
   */
  async jwks(): Promise<{ keys: PublicJwk[] }> {
    await this.#fresh();
    const keys: PublicJwk[] = [];
    const entries = [...this.#entries.values()].sort(
      (a, b) => (PUBLISHED_ORDER[a.info.status] ?? 9) - (PUBLISHED_ORDER[b.info.status] ?? 9),
    );
    for (const { info } of entries) {
      if (info.publicJwk === null) continue;
      const jwk = JSON.parse(info.publicJwk) as Omit<PublicJwk, "kid" | "alg" | "use">;
      const published: PublicJwk = { kty: jwk.kty, kid: info.kid, alg: info.alg, use: "sig" };
      for (const member of ["crv", "x", "y", "n", "e"] as const) {
        const value = jwk[member];
        if (typeof value === "string") published[member] = value;
      }
      keys.push(published);
    }
    return { keys };
  }

  /**
   * Every stored key (retired too), without the sealed private part.
   *
   * @example
   * for (const k of await ring.list()) console.log(k.kid, k.status);
   */
  async list(): Promise<KeyInfo[]> {
    return (await this.#o.store.listSigningKeys()).map(withoutSecret);
  }

  /**
   * `next → active`, `active → previous`, a new `next`: the key that signs from now on was
   * already in the JWKS. Rejects with `key_ring_changed` (nothing applied) when another instance
   * changed the ring at the same moment, so two operators never rotate twice by accident.
   *
   * @example
   * await ring.rotate();
   */
  async rotate(): Promise<void> {
    const records = await this.#o.store.listSigningKeys();
    const next = newest(records, "next");
    await this.#change(records, {
      promote: next?.alg === this.#o.alg ? next : undefined,
      reason: "rotation",
    });
  }

  /**
   * `previous → retired`: the key leaves the JWKS and tokens it signed stop verifying. Only a
   * previous key can be retired (`invalid_input` otherwise, `not_found` for an unknown kid).
   *
   * @example
   * await ring.retire(oldKid);
   */
  async retire(kid: string): Promise<void> {
    const records = await this.#o.store.listSigningKeys();
    const record = records.find((r) => r.kid === kid);
    if (record === undefined) throw new TesseraError("not_found", "no such key");
    if (record.status !== "previous") {
      throw new TesseraError("invalid_input", "only a previous key can be retired");
    }
    await this.#o.store.applyKeyChanges({
      expect: snapshot(records),
      updates: [{ kid, status: "retired", retiredAt: this.#o.clock.now() }],
    });
    await this.#o.audit({ type: "key.retired", data: { kid } });
    await this.#reload();
  }
}
