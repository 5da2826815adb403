import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { buildServer } from "../build-server.js";
import { loadConfig } from "../config/load-config.js";
import { openStore } from "../open-store.js";
import { countingHasher } from "../test-support/counting-hasher.js";
import { TEST_ENV } from "../test-support/test-server.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-readyz-"));
const store = openStore({ kind: "sqlite", path: join(dir, "t.db") });
afterAll(() => store.close());

describe("GET /readyz while the store does not answer", () => {
  it("answers 503 store_unavailable and logs one warn line per probe, without a stack", async () => {
    await store.migrate();
    const lines: Array<Record<string, unknown>> = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const failing = Object.assign(Object.create(store) as typeof store, {
      ping: async () => {
        throw Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:5432"), { code: "ECONNREFUSED" });
      },
    });
    const app = await buildServer({
      config: loadConfig(TEST_ENV),
      store: failing,
      passwordHasher: countingHasher(),
      logger: { level: "info", stream },
      processMetrics: false,
    });
    for (let i = 0; i < 3; i++) {
      const res = await app.inject({ method: "GET", url: "/readyz" });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error: "store_unavailable" });
    }
    await app.close();
    const about = lines.filter((l) => JSON.stringify(l).includes("store not ready"));
    expect(about).toHaveLength(3);
    for (const line of about) {
      expect(line.level).toBe(40);
      expect(line.msg).toBe("readyz: store not ready (ECONNREFUSED); answering 503");
      expect(JSON.stringify(line)).not.toMatch(/stack|10\.0\.0\.5/);
    }
    expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
  });
});
