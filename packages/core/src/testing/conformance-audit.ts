import { describe, expect, it } from "vitest";
import type { AuditEvent, Store } from "../store.js";
import { makeAudit, randomId, T0 } from "./conformance-fixtures.js";

/** Four events of one fresh user at T0+100…400 with types a, b, a, c. */
async function seedAudit(store: Store): Promise<{ userId: string; typeA: string; events: AuditEvent[] }> {
  const userId = randomId("usr");
  const typeA = randomId("type");
  const types = [typeA, "conformance.b", typeA, "conformance.c"];
  const events = types.map((type, i) =>
    makeAudit({
      at: T0 + 100 * (i + 1),
      type,
      userId,
      sessionId: randomId("ses"),
      outcome: i === 1 ? "failure" : "success",
      data: { n: i, flag: i % 2 === 0, note: "text", none: null },
    }),
  );
  for (const event of events) await store.appendAudit(event);
  return { userId, typeA, events };
}

const withoutId = ({ id: _id, ...rest }: AuditEvent) => rest;

export function describeAudit(getStore: () => Store): void {
  describe("audit", () => {
    it("appends events and lists them oldest first with increasing store-assigned ids", async () => {
      const store = getStore();
      const { userId, events } = await seedAudit(store);
      const listed = await store.listAudit({ userId });
      expect(listed.map(withoutId)).toEqual(events);
      const ids = listed.map((e) => e.id);
      for (const id of ids) expect(id).toEqual(expect.any(Number));
      expect(ids).toEqual([...ids].sort((a, b) => (a ?? 0) - (b ?? 0)));
      expect(new Set(ids).size).toBe(4);

      // An id on input is ignored: the store assigns the next one.
      await store.appendAudit(makeAudit({ id: -5, userId, at: T0 + 500 }));
      const last = (await store.listAudit({ userId })).at(-1);
      expect(last?.id).toBeGreaterThan(ids.at(-1) ?? 0);
    });

    it("filters by user, type, time range, id and limit", async () => {
      const store = getStore();
      const { userId, typeA, events } = await seedAudit(store);
      const all = await store.listAudit({ userId });
      const atOf = (list: AuditEvent[]) => list.map((e) => e.at);

      expect(atOf(await store.listAudit({ type: typeA }))).toEqual([T0 + 100, T0 + 300]);
      expect(atOf(await store.listAudit({ userId, type: "conformance.b" }))).toEqual([T0 + 200]);
      expect(atOf(await store.listAudit({ userId, since: T0 + 150 }))).toEqual([
        T0 + 200,
        T0 + 300,
        T0 + 400,
      ]);
      expect(atOf(await store.listAudit({ userId, until: T0 + 250 }))).toEqual([T0 + 100, T0 + 200]);
      expect(atOf(await store.listAudit({ userId, since: T0 + 150, until: T0 + 350 }))).toEqual([
        T0 + 200,
        T0 + 300,
      ]);
      expect(atOf(await store.listAudit({ userId, afterId: all[1]!.id! }))).toEqual([T0 + 300, T0 + 400]);
      expect(atOf(await store.listAudit({ userId, limit: 2 }))).toEqual([T0 + 100, T0 + 200]);
      expect(atOf(await store.listAudit({ userId, afterId: all[0]!.id!, limit: 1 }))).toEqual([T0 + 200]);
      expect(await store.listAudit({ userId: randomId("usr") })).toEqual([]);
      expect(events).toHaveLength(4);
    });

    it("keeps events without a user", async () => {
      const store = getStore();
      const type = randomId("anon");
      const event = makeAudit({
        type,
        userId: null,
        sessionId: null,
        ip: null,
        userAgent: null,
        outcome: "failure",
      });
      await store.appendAudit(event);
      expect((await store.listAudit({ type })).map(withoutId)).toEqual([event]);
    });
  });
}
