import type { Server } from "node:net";
import { normalizeIP } from "@fastify/rate-limit";

/**
 * Caps open connections: `max` over all clients (`server.maxConnections`, Node drops the
 * excess at accept) and `perIp` per peer address (IPv6: per /64), so stalled sockets from one
 * address cannot use up the process's file descriptors and shut everyone else out. A socket over
 * a cap is destroyed at once, before any byte is read. The peer is the socket's own address: behind
 * a proxy every connection comes from the proxy, so `perIp` is then usually `null`.
 *
 * @example
 * limitConnections(app.server, { max: 800, perIp: 100 });
 */
export function limitConnections(server: Server, caps: { max: number; perIp: number | null }): void {
  server.maxConnections = caps.max;
  const { perIp } = caps;
  if (perIp === null) return;
  const open = new Map<string, number>();
  server.on("connection", (socket) => {
    const address = socket.remoteAddress;
    if (address === undefined) return;
    const key = normalizeIP(address, 64);
    const count = open.get(key) ?? 0;
    if (count >= perIp) {
      socket.destroy();
      return;
    }
    open.set(key, count + 1);
    socket.once("close", () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left <= 0) open.delete(key);
      else open.set(key, left);
    });
  });
}
