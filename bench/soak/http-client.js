import { Agent, request } from "node:http";

/**
 * A small keep-alive HTTP client for 127.0.0.1 only: the soak must never send traffic elsewhere.
 * Each answer comes back with its status, its `Set-Cookie` lines and its parsed JSON body.
 *
 * @example
 * const client = createClient("http://127.0.0.1:3000", 8);
 * const res = await client.send("POST", "/auth/login", { json: { email, password } });
 * client.close();
 *
 * @param {string} baseUrl
 * @param {number} sockets
 */
export function createClient(baseUrl, sockets) {
  const url = new URL(baseUrl);
  if (url.hostname !== "127.0.0.1") throw new Error(`the soak only targets 127.0.0.1, not ${url.hostname}`);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  return {
    /**
     * @param {string} method
     * @param {string} path
     * @param {{ json?: unknown, headers?: Record<string, string> }} [init]
     * @returns {Promise<{ status: number, setCookies: string[], body: any }>}
     */
    send(method, path, init = {}) {
      const body = init.json === undefined ? undefined : JSON.stringify(init.json);
      /** @type {Record<string, string>} */
      const headers = { ...init.headers };
      if (body !== undefined) {
        headers["content-type"] = "application/json";
        headers["content-length"] = String(Buffer.byteLength(body));
      }
      return new Promise((resolve, reject) => {
        const req = request(
          { agent, host: "127.0.0.1", port: url.port, method, path, headers, timeout: 30_000 },
          (res) => {
            const chunks = /** @type {Buffer[]} */ ([]);
            res.on("data", (chunk) => chunks.push(chunk));
            res.on("error", reject);
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              let parsed = null;
              try {
                parsed = text === "" ? null : JSON.parse(text);
              } catch {
                parsed = null;
              }
              const setCookie = res.headers["set-cookie"] ?? [];
              resolve({ status: res.statusCode ?? 0, setCookies: setCookie, body: parsed });
            });
          },
        );
        req.on("timeout", () => req.destroy(new Error("request timed out after 30 s")));
        req.on("error", reject);
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
