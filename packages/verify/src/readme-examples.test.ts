// The README's Express example and its CORS snippet, run as written: the code blocks are read
// from README.md, their `import`s resolved here, and the rest run against a real Express server
// with a real preflight. Only the port (4000 → a free one) and the verifier's keys (the README's
// fetches them from a Tessera server; here the test issuer's) are swapped in.
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeBlock, runBlock } from "../../core/src/test-support/readme-blocks.js";
import type { VerifierOptions } from "./index.js";
import { type Fixture, fixture } from "./test-support/middleware-cases.js";

const README = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const PAGE = "http://localhost:5173";

const jsBlock = (heading?: string) => codeBlock(README, "js", heading);
const run = async (block: string, overrides: Record<string, unknown>) =>
  (await runBlock(block, overrides, "app")) as express.Express | undefined;

let f: Fixture;
const servers: Server[] = [];
beforeAll(async () => {
  f = await fixture();
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** `express()` whose `listen(port, host)` takes a free port instead, remembered in `listening`. */
function expressOnFreePort() {
  let listening: Promise<string> | undefined;
  const make = () => {
    const app = express();
    app.listen = ((_port: number, host: string) => {
      const server = (express.application.listen as (...a: unknown[]) => Server).call(app, 0, host);
      servers.push(server);
      listening = new Promise((resolve) =>
        server.once("listening", () => resolve(`http://${host}:${(server.address() as AddressInfo).port}`)),
      );
      return server;
    }) as typeof app.listen;
    return app;
  };
  return { make, url: () => listening ?? Promise.reject(new Error("the example never listened")) };
}

/** The README's verifier options, checked, then the test issuer's verifier in its place. */
function createVerifierAsDocumented(options: VerifierOptions) {
  expect(options).toEqual({ issuer: "http://localhost:3000", audience: "tessera" });
  return f.verifier;
}

describe("the README's examples, as written", () => {
  it("the Express example: 200 with a token on /me, 401 without, 403 for a missing scope", async () => {
    const port = expressOnFreePort();
    await run(jsBlock(), { express: port.make, createVerifier: createVerifierAsDocumented });
    const base = await port.url();
    const me = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${f.good}` } });
    expect([me.status, await me.json()]).toEqual([200, { user: "user_1" }]);
    expect((await fetch(`${base}/me`)).status).toBe(401);
    const order = await fetch(`${base}/orders`, {
      method: "POST",
      headers: { authorization: `Bearer ${f.good}` },
    });
    expect(order.status).toBe(403);
  });

  it("the CORS snippet: the preflight is answered by cors, a 401 carries the CORS headers", async () => {
    const app = await run(jsBlock("## CORS"), { app: express(), verifier: f.verifier });
    if (!app) throw new Error("no app");
    app.get("/me", (req, res) => {
      res.json({ user: req.auth?.sub });
    });
    const server = app.listen(0, "127.0.0.1");
    servers.push(server);
    await new Promise((resolve) => server.once("listening", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const preflight = await fetch(`${base}/me`, {
      method: "OPTIONS",
      headers: {
        origin: PAGE,
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization, dpop",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(preflight.headers.get("access-control-allow-headers")).toBe("authorization,dpop,content-type");
    const without = await fetch(`${base}/me`, { headers: { origin: PAGE } });
    expect([without.status, without.headers.get("access-control-allow-origin")]).toEqual([401, PAGE]);
    const withToken = await fetch(`${base}/me`, {
      headers: { origin: PAGE, authorization: `Bearer ${f.good}` },
    });
    expect([withToken.status, await withToken.json()]).toEqual([200, { user: "user_1" }]);
  });
});
