import { mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeSession, makeToken, makeUser } from "@tessera/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "../open-store.js";
import {
  MASTER_KEY_HEX,
  STRONG_PASSWORD,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.js";
import type { CliIo } from "./io.js";
import { buildProgram } from "./program.js";

// ESC sequences (clear screen, recolour, a fake line), C1 CSI, a bidi override and an isolate.
const EVIL = "Mozilla/5.0\u001b[2J\u001b[31m\r\nroot logged in\u009b1m\u202eevil\u2066x\u2069";
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function rawRequest(url: string, bytes: Buffer): Promise<string> {
  const socket = connect({ host: "127.0.0.1", port: Number(new URL(url).port) });
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  socket.write(bytes);
  await new Promise((resolve) => socket.once("close", resolve));
  return Buffer.concat(chunks).toString("utf8");
}

async function runCli(database: string, args: string[]): Promise<string> {
  const lines: string[] = [];
  const io: CliIo = {
    out: (line) => lines.push(line),
    err: () => {},
    readSecret: async () => "",
  };
  const env = { TESSERA_DATABASE_URL: `sqlite:${database}`, TESSERA_MASTER_KEY: MASTER_KEY_HEX };
  await buildProgram(env, io).parseAsync(args, { from: "user" });
  return lines.join("\n");
}

describe("client strings never reach a terminal raw", () => {
  // Regression (issue 14.12): `tessera sessions list` and `tessera audit` printed a stored
  // User-Agent's escape sequences and bidi overrides as they were.
  it("sessions list and audit escape control and bidi characters of rows already stored", async () => {
    const database = join(mkdtempSync(join(tmpdir(), "tessera-tty-")), "tessera.db");
    const store = openStore({ kind: "sqlite", path: database });
    await store.migrate();
    const user = makeUser();
    const now = Date.now();
    await store.createUser(user);
    const session = makeSession(user.id, {
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + 86_400_000,
      userAgent: EVIL,
      lastUserAgent: EVIL,
    });
    await store.createSession(
      session,
      makeToken(session.id, { createdAt: now, expiresAt: now + 86_400_000 }),
      user.credentialVersion,
    );
    await store.appendAudit({
      at: now,
      type: "login.success",
      outcome: "success",
      userId: user.id,
      sessionId: session.id,
      ip: "192.0.2.1",
      userAgent: EVIL,
      data: { note: "a\u001b]0;title\u0007b" },
    });
    await store.close();

    for (const args of [
      ["sessions", "list", user.email],
      ["sessions", "list", user.email, "--json"],
      ["audit", "--since", "1h"],
      ["audit", "--since", "1h", "--json"],
    ]) {
      const output = await runCli(database, args);
      expect(output, args.join(" ")).toContain("Mozilla/5.0");
      expect(output, args.join(" ")).not.toMatch(RAW);
    }
    const json = await runCli(database, ["sessions", "list", user.email, "--json"]);
    expect(JSON.parse(json)[0].lastUserAgent).toBe(EVIL);
  });

  it("the server escapes them before storing a User-Agent", async () => {
    server = await startTestServer();
    const email = `tty-${Date.now()}@example.test`;
    await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
    // Raw bytes on a socket. Node's parser refuses C0 controls but a tab, so: a tab, C1 CSI and
    // NEL, and the UTF-8 of a bidi override (read as latin1: a C1 character inside).
    const body = JSON.stringify({ email, password: STRONG_PASSWORD });
    const head =
      `POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\nUser-Agent: Mozilla/5.0 `;
    const agent = Buffer.from([0x09, 0x9b, 0x33, 0x31, 0x6d, 0x20, 0x85, 0x20, 0xe2, 0x80, 0xae, 0x65]);
    const answer = await rawRequest(
      server.url,
      Buffer.concat([Buffer.from(head), agent, Buffer.from(`\r\n\r\n${body}`)]),
    );
    const login = {
      status: Number(answer.split(" ")[1]),
      body: JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)),
    };
    expect(login.status).toBe(200);
    const sessions = await server.call("GET", "/auth/sessions", { bearer: login.body.access_token });
    const stored = JSON.stringify(sessions.body);
    expect(stored).toContain("Mozilla/5.0");
    expect(stored).not.toMatch(RAW);
    const audit = await server.store.listAudit({ userId: login.body.user.id, limit: 100 });
    expect(audit.some((e) => e.userAgent?.includes("Mozilla/5.0"))).toBe(true);
    for (const event of audit) expect(event.userAgent ?? "").not.toMatch(RAW);
  });

  it("an address a trusted proxy passed on is escaped too", async () => {
    server = await startTestServer({ TESSERA_TRUST_PROXY: "2" });
    const email = `tty-ip-${Date.now()}@example.test`;
    await server.call("POST", "/auth/register", { json: { email, password: STRONG_PASSWORD } });
    const body = JSON.stringify({ email, password: STRONG_PASSWORD });
    const head =
      `POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\nX-Forwarded-For: `;
    const junk = Buffer.from([0x9b, 0x33, 0x31, 0x6d, 0xe2, 0x80, 0xae]);
    const answer = await rawRequest(
      server.url,
      Buffer.concat([Buffer.from(head), junk, Buffer.from(`, 10.0.0.1\r\n\r\n${body}`)]),
    );
    expect(answer.slice(0, 300)).toMatch(/^HTTP\/1.1 200/);
    const audit = await server.store.listAudit({ limit: 100 });
    const ips = audit.map((e) => e.ip ?? "");
    expect(ips.some((ip) => ip.includes("\\u{009b}"))).toBe(true);
    for (const ip of ips) expect(ip).not.toMatch(RAW);
  });
});
