import { afterEach, describe, expect, it } from "vitest";
import { type Harness, setUp, signUpAndIn } from "../test-support/harness.js";

const DAY = 86_400_000;

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe("audit retention (auditRetentionMs, TESSERA_AUDIT_RETENTION)", () => {
  it("purge deletes events older than the retention and keeps the rest, by the injected clock", async () => {
    h = await setUp({ auditRetentionMs: 90 * DAY });
    await signUpAndIn(h.tessera); // events at T0
    const old = await h.store.listAudit({});
    expect(old.length).toBeGreaterThan(0);

    h.clock.advance(60 * DAY);
    await signUpAndIn(h.tessera); // events at T0 + 60d
    const recent = (await h.store.listAudit({})).filter((e) => !old.some((o) => o.id === e.id));
    expect(recent.length).toBeGreaterThan(0);

    // At T0 + 90d exactly, the first events are not yet older than the retention.
    h.clock.advance(30 * DAY);
    await h.tessera.purge();
    expect(await h.store.listAudit({})).toHaveLength(old.length + recent.length);

    // One millisecond later they are; the later ones (30 days old) stay.
    h.clock.advance(1);
    await h.tessera.purge();
    const left = await h.store.listAudit({});
    expect(left.map((e) => e.id).sort()).toEqual(recent.map((e) => e.id).sort());
    expect(left.every((e) => e.at >= h.clock.now() - 90 * DAY)).toBe(true);
  });

  it("a shorter retention prunes sooner", async () => {
    h = await setUp({ auditRetentionMs: DAY });
    await signUpAndIn(h.tessera);
    h.clock.advance(DAY + 1);
    await h.tessera.purge();
    expect(await h.store.listAudit({})).toEqual([]);
  });
});
