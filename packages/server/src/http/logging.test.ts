import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { capturedLogLines, startTestServer, type TestServer } from "../test-support/test-server.js";
import { createLoggers } from "./logging.js";

function capture(): { lines: () => Array<Record<string, unknown>>; stream: Writable } {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      written.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      callback();
    },
  });
  return { lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>), stream };
}

describe("createLoggers", () => {
  it("writes the request line with exactly its fields, and only at info or below", () => {
    const { lines, stream } = capture();
    const line = {
      reqId: "req-1",
      method: "POST",
      path: "/auth/refresh",
      route: "/auth/refresh",
      status: 200,
      ms: 3,
    };
    createLoggers("info", stream).requestLine(line);
    createLoggers("warn", stream).requestLine(line);
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatchObject({ ...line, msg: "request", level: 30 });
  });

  it("still redacts credential-named fields on the server's logger", () => {
    const { lines, stream } = capture();
    const { logger } = createLoggers("info", stream);
    logger.info({ refresh_token: "tsr_secret", req: { headers: { authorization: "Bearer abc" } } }, "x");
    logger.info({ outer: { cookie: "__Secure-tessera_refresh=tsr_secret" } }, "y");
    const text = JSON.stringify(lines());
    expect(text).not.toContain("tsr_secret");
    expect(text).not.toContain("Bearer abc");
    expect(text).toContain("[redacted]");
  });
});

describe("the request line over HTTP", () => {
  let server: TestServer;
  afterEach(async () => {
    await server.close();
  });

  it("logs method, path without the query, route and status of every answer", async () => {
    server = await startTestServer();
    const before = capturedLogLines.length;
    const res = await server.call("GET", "/healthz?probe=1", { headers: { cookie: "a=tsr_cookie_value" } });
    expect(res.status).toBe(200);
    const lines = capturedLogLines.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    const request = lines.filter((l) => l.msg === "request");
    expect(request).toHaveLength(1);
    expect(request[0]).toMatchObject({ method: "GET", path: "/healthz", route: "/healthz", status: 200 });
    expect(typeof request[0]?.reqId).toBe("string");
    expect(capturedLogLines.slice(before).join("\n")).not.toContain("tsr_cookie_value");
  });

  it("an unmatched path is logged with its token-shaped segments redacted", async () => {
    server = await startTestServer();
    const token = "Xq3vR8sT0uW2yZ4aB6cD8eF0gH2iJ4kL6mN8oP0qR2s";
    const jwt = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl";
    const before = capturedLogLines.length;
    for (const path of [`/auth/password/reset/${token}`, `/verify-email/${jwt}/x`, `/${token}`]) {
      const res = await server.call("POST", path, { json: { token } });
      expect(res.status).toBe(404);
      expect(res.text).not.toContain(token);
    }
    const lines = capturedLogLines.slice(before);
    expect(lines.join("\n")).not.toContain(token);
    expect(lines.join("\n")).not.toContain(jwt);
    const paths = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === "request");
    expect(paths.map((l) => l.path)).toEqual(["/auth/password/reset/…", "/verify-email/…/x", "/…"]);
  });
});
