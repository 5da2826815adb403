// The main entry must not load express, fastify or hono: using the plain verifier should not
// pull a web framework into a process. Walk the runtime imports reachable from index.ts.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = fileURLToPath(new URL("./", import.meta.url));
const RUNTIME_IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^;]*?\sfrom\s+)?["']([^"']+)["']/gm;
const DYNAMIC_IMPORT = /import\(\s*["']([^"']+)["']\s*\)/g;

function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(`${src}${file}`, "utf8");
    for (const re of [RUNTIME_IMPORT, DYNAMIC_IMPORT]) {
      for (const m of text.matchAll(re)) {
        const spec = m[1] as string;
        if (spec.startsWith("./")) queue.push(spec.slice(2).replace(/\.js$/, ".ts"));
        else packages.add(spec);
      }
    }
  }
  return { files, packages };
}

describe("entry points", () => {
  it("the main entry reaches no web framework at runtime", () => {
    const { files, packages } = reachable("index.ts");
    expect(files.has("verifier.ts")).toBe(true);
    expect([...packages].sort()).toEqual(["jose", "node:buffer", "node:crypto"]);
  });

  it("each framework subpath loads only its own framework", () => {
    expect([...reachable("express.ts").packages]).not.toContain("fastify");
    expect([...reachable("fastify.ts").packages]).not.toContain("express");
    expect([...reachable("hono.ts").packages]).not.toContain("express");
  });
});
