import { connect, type Socket } from "node:net";

/** One HTTP/1.1 connection driven by hand, to hold a request half sent across a server event. */
export interface RawConnection {
  write(text: string): void;
  /** The next complete response on the connection (status, lower-cased headers, body text). */
  response(): Promise<{ status: number; headers: Record<string, string>; body: string }>;
  close(): void;
}

/**
 * Opens a TCP connection to `url`'s host and port.
 *
 * @example
 * const conn = await rawConnection(instance.url);
 * conn.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
 * expect((await conn.response()).status).toBe(200);
 */
export function rawConnection(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(port), hostname, () => resolve(wrap(socket)));
    socket.once("error", reject);
  });
}

function wrap(socket: Socket): RawConnection {
  let buffer = "";
  let wake: (() => void) | null = null;
  let ended = false;
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    wake?.();
  });
  socket.on("close", () => {
    ended = true;
    wake?.();
  });
  socket.on("error", () => {});
  const next = async () => {
    for (;;) {
      const end = buffer.indexOf("\r\n\r\n");
      if (end >= 0) {
        const [statusLine = "", ...lines] = buffer.slice(0, end).split("\r\n");
        const headers = Object.fromEntries(
          lines.map((line) => {
            const colon = line.indexOf(":");
            return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
          }),
        );
        const length = Number(headers["content-length"] ?? 0);
        if (buffer.length >= end + 4 + length) {
          const body = buffer.slice(end + 4, end + 4 + length);
          buffer = buffer.slice(end + 4 + length);
          return { status: Number(statusLine.split(" ")[1]), headers, body };
        }
      }
      if (ended)
        throw new Error(
          `connection closed before a complete response: ${JSON.stringify(buffer.slice(0, 300))}`,
        );
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  };
  return { write: (text) => socket.write(text, "latin1"), response: next, close: () => socket.destroy() };
}
