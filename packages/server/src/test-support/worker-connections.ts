import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { expect } from "vitest";
import { REFRESH_COOKIE } from "../http/refresh-cookie.js";
import type { InstanceAnswer } from "./instance-call.js";
import type { Instance } from "./spawn-instance.js";
import { MASTER_KEY_HEX, STRONG_PASSWORD, uniqueEmail } from "./test-server.js";

// Tests of `tessera serve --workers N` must know which worker answered. Node's cluster primary
// hands each new TCP connection to one worker, and a keep-alive connection stays with it; so a
// connection is a handle on one worker. Which one is read from the server's own request log
// (pino writes `pid` on every line): a probe request to a unique unknown path is logged by the
// worker that served it. Needs TESSERA_LOG_LEVEL=info and a keep-alive timeout longer than the test.

const PROBE_WAIT_MS = 5_000;

/**
 * What these helpers need of a `tessera serve --workers N` under test: request lines in the log,
 * keep-alive connections that outlast the test, the proxy's address trusted (`x-forwarded-for`).
 *
 * @example
 * await spawnInstance({ ...WORKER_HARNESS_ENV, TESSERA_DATABASE_URL: url }, ["serve", "--workers", "2"]);
 */
export const WORKER_HARNESS_ENV = {
  TESSERA_MASTER_KEY: MASTER_KEY_HEX,
  TESSERA_TRUST_PROXY: "loopback",
  TESSERA_KEEP_ALIVE_TIMEOUT: "2m",
  TESSERA_LOG_LEVEL: "info",
} as const;

export interface WorkerCall {
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  bearer?: string;
  /** The refresh cookie's value. */
  refresh?: string;
  /**
   * A request held in flight: headers with `Expect: 100-continue`; once the server answers
   * `100 Continue` (it parsed them: the request is its own now) `started` is called; the body goes
   * when `until` resolves.
   */
  hold?: { started: () => void; until: Promise<unknown> };
}

/** One keep-alive connection to a multi-worker server, and the pid of the worker behind it. */
export interface WorkerConnection {
  pid: number;
  /** The answer, with its body as text too (`body` is its JSON, or null). */
  call(method: string, path: string, init?: WorkerCall): Promise<InstanceAnswer & { text: string }>;
  close(): void;
}

/**
 * Every request line (`msg: "request"`) the server logged in `output`, as `{ pid, route, status }`.
 *
 * @example
 * const lines = requestLines(instance.output()).filter((l) => l.route === "/auth/refresh");
 */
export function requestLines(
  output: string,
): Array<{ pid: number; path: string; route: string; status: number }> {
  const lines = [];
  // The last piece may be a line still being written: only whole lines count.
  for (const text of output.split("\n").slice(0, -1)) {
    if (!text.startsWith("{") || !text.includes('"msg":"request"')) continue;
    const line = JSON.parse(text) as { pid: number; path: string; route: string; status: number };
    lines.push({ pid: line.pid, path: line.path, route: line.route, status: line.status });
  }
  return lines;
}

function connection(instance: Instance): Omit<WorkerConnection, "pid"> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(instance.url);
  return {
    close: () => agent.destroy(),
    call(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      let body: string | undefined;
      if (init.json !== undefined) {
        headers["content-type"] = "application/json";
        body = JSON.stringify(init.json);
      } else if (init.form !== undefined) {
        headers["content-type"] = "application/x-www-form-urlencoded";
        body = new URLSearchParams(init.form).toString();
      }
      if (init.bearer !== undefined) headers.authorization = `Bearer ${init.bearer}`;
      if (init.refresh !== undefined) headers.cookie = `${REFRESH_COOKIE}=${init.refresh}`;
      if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
      if (init.hold !== undefined) headers.expect = "100-continue";
      return new Promise((resolve, reject) => {
        const req = request({ agent, host: url.hostname, port: url.port, method, path, headers }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            text += chunk;
          });
          res.on("end", () => {
            let parsed: unknown = null;
            try {
              parsed = text === "" ? null : JSON.parse(text);
            } catch {
              parsed = null;
            }
            const fetchHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              for (const one of Array.isArray(value) ? value : [value ?? ""]) fetchHeaders.append(name, one);
            }
            const refresh = (res.headers["set-cookie"] ?? [])
              .map((line) => line.split(";")[0] ?? "")
              .filter((pair) => pair.startsWith(`${REFRESH_COOKIE}=`))
              .map((pair) => pair.slice(REFRESH_COOKIE.length + 1))
              .find((value) => value !== "");
            resolve({ status: res.statusCode ?? 0, headers: fetchHeaders, body: parsed, refresh, text });
          });
        });
        req.on("error", reject);
        const { hold } = init;
        if (hold === undefined || body === undefined) {
          req.end(body);
          return;
        }
        req.on("continue", () => {
          hold.started();
          void hold.until.then(() => req.end(body));
        });
        req.flushHeaders();
      });
    },
  };
}

/** The pid of the worker that served `path`, once its request line is in the log. */
async function pidOf(instance: Instance, path: string): Promise<number> {
  const deadline = Date.now() + PROBE_WAIT_MS;
  for (;;) {
    const line = requestLines(instance.output()).find((l) => l.path === path);
    if (line) return line.pid;
    if (Date.now() > deadline) throw new Error(`no request line for ${path} in the server's log`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Opens `count` keep-alive connections to `instance`, each identified with its worker's pid.
 *
 * @example
 * const connections = await workerConnections(server, 20);
 * const pids = new Set(connections.map((c) => c.pid)); // both workers of --workers 2
 */
export async function workerConnections(instance: Instance, count: number): Promise<WorkerConnection[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const open = connection(instance);
      // Segments under 20 characters: the request log writes longer token-like segments of an
      // unmatched path as "…" (a token a client put in a URL must not reach the log).
      const probe = `/probe/${randomUUID().replaceAll("-", "/")}`;
      await open.call("GET", probe);
      return { ...open, pid: await pidOf(instance, probe) };
    }),
  );
}

/**
 * One connection to each of `workers` distinct workers (opening more connections until every
 * worker is met; the extra ones are closed).
 *
 * @example
 * const [a, b] = await oneConnectionPerWorker(server, 2);
 */
export async function oneConnectionPerWorker(
  instance: Instance,
  workers: number,
): Promise<WorkerConnection[]> {
  const byPid = new Map<number, WorkerConnection>();
  for (let round = 0; round < 10 && byPid.size < workers; round++) {
    for (const open of await workerConnections(instance, workers)) {
      if (byPid.has(open.pid) || byPid.size >= workers) open.close();
      else byPid.set(open.pid, open);
    }
  }
  if (byPid.size < workers) throw new Error(`met ${byPid.size} workers, expected ${workers}`);
  return [...byPid.values()];
}

/**
 * A new user registered through one worker and logged in through the other (client address `ip`):
 * the two connections, the e-mail, and the session's refresh cookie and CSRF token.
 *
 * @example
 * const { a, b, refresh, csrf } = await signInOnTwoWorkers(server, freshClientIp());
 */
export async function signInOnTwoWorkers(server: Instance, ip: string) {
  const [a, b] = await oneConnectionPerWorker(server, 2);
  if (!a || !b) throw new Error("two workers expected");
  const email = uniqueEmail("workers");
  const headers = { "x-forwarded-for": ip };
  const register = await a.call("POST", "/auth/register", {
    json: { email, password: STRONG_PASSWORD },
    headers,
  });
  expect(register.status).toBe(201);
  const login = await b.call("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD }, headers });
  expect(login.status).toBe(200);
  return { a, b, email, refresh: login.refresh as string, csrf: login.body.csrf_token as string };
}
