import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The peers benchmark run once in its smoke mode (every peer, one round of tiny slices): not a
 * timing test — it asserts which peers rotate, and the shape of what `npm run bench` writes.
 */

const root = fileURLToPath(new URL("../../", import.meta.url));
const built = spawnSync("node", ["-e", "require('fs').accessSync('packages/server/dist/cli.js')"], {
  cwd: root,
});

interface Peer {
  kind: string;
  counts: boolean;
  rotation_check: { rotated: boolean; old_token_rejected: boolean; rotates: boolean } | null;
  rps: number;
  p99_ms: number;
  server_cpu_us_per_request: number | null;
  ratio_to_tessera: number;
  round_ratios: number[];
}

describe.skipIf(built.status !== 0)("peers benchmark (smoke)", () => {
  let peers: Record<string, Peer>;
  const dir = mkdtempSync(join(tmpdir(), "peers-test-"));

  beforeAll(() => {
    const out = join(dir, "peers.json");
    const run = spawnSync("node", ["bench/peers/run.js", "--smoke", "--unpinned", "--json-out", out], {
      cwd: root,
      encoding: "utf8",
      timeout: 240_000,
    });
    if (run.status !== 0) throw new Error(`bench/peers/run.js failed:\n${run.stderr}`);
    peers = JSON.parse(readFileSync(out, "utf8")).peers;
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs every contender, Tessera first", () => {
    expect(Object.keys(peers)).toEqual([
      "tessera",
      "oidc_provider_memory",
      "oidc_provider_sqlite",
      "express_jsonwebtoken",
      "express_jsonwebtoken_keyobjects",
      "better_auth",
      "fastify_bare",
    ]);
  });

  it("finds that Tessera and every rotating peer refuse a replayed refresh token, and better-auth does not rotate", () => {
    for (const name of [
      "tessera",
      "oidc_provider_memory",
      "oidc_provider_sqlite",
      "express_jsonwebtoken",
      "express_jsonwebtoken_keyobjects",
    ]) {
      expect(peers[name]?.rotation_check, name).toEqual(
        expect.objectContaining({ rotated: true, old_token_rejected: true, rotates: true }),
      );
      expect(peers[name]?.counts, name).toBe(true);
    }
    expect(peers.better_auth?.kind).toBe("no_rotation");
    expect(peers.better_auth?.rotation_check).toEqual(
      expect.objectContaining({ rotated: false, old_token_rejected: false }),
    );
    expect(peers.fastify_bare?.rotation_check).toBeNull();
  });

  it("writes rps, p99, server CPU per request, the ratio to Tessera and one ratio per round for each", () => {
    for (const [name, peer] of Object.entries(peers)) {
      expect(peer.rps, name).toBeGreaterThan(0);
      expect(typeof peer.p99_ms, name).toBe("number");
      expect(peer.server_cpu_us_per_request, name).toBeGreaterThan(0);
      expect(typeof peer.ratio_to_tessera, name).toBe("number");
      expect(peer.round_ratios, name).toHaveLength(1);
    }
    expect(peers.tessera?.ratio_to_tessera).toBe(1);
  });
});
