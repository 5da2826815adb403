import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test-support/test-server.js";

let server: TestServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close();
  server = undefined;
});

/** A socket to the server (from `localAddress`, any 127.0.0.0/8 address on Linux) and a promise of its close. */
async function open(localAddress = "127.0.0.1"): Promise<{ socket: Socket; closed: Promise<void> }> {
  const { port } = new URL(server?.url ?? "");
  const socket = connect({ host: "127.0.0.1", port: Number(port), localAddress });
  sockets.push(socket);
  socket.on("error", () => {});
  socket.on("data", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("close", () => reject(new Error("closed before connecting")));
  });
  return { socket, closed };
}

const STALLED_LOGIN =
  "POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{";

describe("connection deadlines and caps", () => {
  // Regression (issue 14.3): a request whose body never finished held its socket forever.
  it("closes a socket that sends headers and then stalls, after TESSERA_REQUEST_TIMEOUT", async () => {
    server = await startTestServer({ TESSERA_REQUEST_TIMEOUT: "300ms" });
    const { socket, closed } = await open();
    socket.write(STALLED_LOGIN);
    await closed;
    expect(socket.destroyed).toBe(true);
  });

  it("closes a socket that dribbles its body a byte at a time past the deadline", async () => {
    server = await startTestServer({ TESSERA_REQUEST_TIMEOUT: "300ms" });
    const { socket, closed } = await open();
    socket.write(STALLED_LOGIN);
    const drip = setInterval(() => socket.writable && socket.write(" "), 50);
    try {
      await closed;
    } finally {
      clearInterval(drip);
    }
    expect(socket.destroyed).toBe(true);
  });

  it("closes a socket that never sends a byte", async () => {
    server = await startTestServer({ TESSERA_REQUEST_TIMEOUT: "300ms" });
    const { closed } = await open();
    await closed;
  });

  // Regression (issue 14.3): 1,100 slow connections from one address starved /healthz and /auth/login.
  it("a flood of stalled sockets from one address beyond the per-IP cap does not stop a normal request", async () => {
    const CAP = 5;
    server = await startTestServer({
      TESSERA_MAX_CONNECTIONS_PER_IP: String(CAP),
      TESSERA_MAX_CONNECTIONS: "40",
    });
    const flood = await Promise.all(Array.from({ length: 60 }, () => open("127.0.0.2").catch(() => null)));
    const opened = flood.filter((entry) => entry !== null);
    for (const { socket } of opened) if (!socket.destroyed) socket.write(STALLED_LOGIN);
    // Everything past the cap is closed by the server; CAP sockets stay open, stalled.
    let closedCount = 0;
    await new Promise<void>((resolve) => {
      for (const { closed } of opened) {
        void closed.then(() => {
          closedCount += 1;
          if (closedCount === opened.length - CAP) resolve();
        });
      }
    });
    expect(opened.filter(({ socket }) => !socket.destroyed)).toHaveLength(CAP);
    expect((await server.call("GET", "/healthz")).status).toBe(200);
    expect(
      (await server.call("POST", "/auth/login", { json: { email: "a@b.test", password: "x" } })).status,
    ).toBe(401);
  });
});
