import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { sqliteWorkspace } from "../test-support/fault-workspace.js";
import { callInstance } from "../test-support/instance-call.js";
import { checkSessions, openSessions, reportFault, runRefreshLoad } from "../test-support/refresh-load.js";
import { type Instance, spawnInstance } from "../test-support/spawn-instance.js";
import { ADMIN_AUTH, ADMIN_ENV, STRONG_PASSWORD, uniqueEmail } from "../test-support/test-server.js";

// A disk that refuses writes, under refresh load, on SQLite. The server's file-size limit
// (RLIMIT_FSIZE, set on the running process with `prlimit`; Node ignores SIGXFSZ) is lowered to 0,
// so every write to the database and its WAL fails as on a full disk (EFBIG instead of ENOSPC:
// SQLite answers SQLITE_IOERR_WRITE instead of SQLITE_FULL; both are `store_unavailable`), then
// raised again. Meanwhile: only 200 or 503 `store_unavailable`, never a 500; a read-only admin
// call whose audit event cannot be written is refused, not answered; after: service resumes
// without a restart, every session refreshes, the file passes `PRAGMA integrity_check`.

const SESSIONS = 16;
const PRLIMIT = ["/usr/bin/prlimit", "/bin/prlimit"].find((path) => existsSync(path));

function setFileSizeLimit(pid: number, soft: number | "unlimited"): void {
  execFileSync(PRLIMIT as string, ["--pid", String(pid), `--fsize=${soft}:unlimited`]);
}

describe.skipIf(process.platform !== "linux" || PRLIMIT === undefined)(
  "disk refusing writes (SQLite)",
  () => {
    const ws = sqliteWorkspace("full-disk", ADMIN_ENV);
    let instance: Instance | undefined;

    afterAll(async () => {
      await instance?.stop();
      ws.dispose();
    });

    it("answers 503, drops no audit event, resumes with a sound file", { timeout: 60_000 }, async () => {
      instance = await spawnInstance(ws.env);
      const server = instance;
      const sessions = await openSessions(server.url, SESSIONS);
      const load = runRefreshLoad(sessions, {
        targets: () => [server.url],
        allowed: ["503 store_unavailable"],
      });
      await load.okAfter(50);

      const inFlight = load.fault();
      setFileSizeLimit(server.pid, 0);
      let refusedWhileFull: number;
      try {
        // Wait until the load has met the full disk (a few refreshes refused).
        for (let poll = 0; (load.figures().refused["503 store_unavailable"] ?? 0) < SESSIONS; poll++) {
          if (poll > 400) throw new Error(`no refusals while full: ${JSON.stringify(load.figures())}`);
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        const register = await callInstance(server.url, "POST", "/auth/register", {
          json: { email: uniqueEmail("full"), password: STRONG_PASSWORD },
        });
        expect(register.status).toBe(503);
        expect(register.body).toMatchObject({ error: "store_unavailable" });
        // A read-only admin call: its only write is its audit event, which fails; so must the call.
        const listing = await callInstance(server.url, "GET", "/admin/users", { headers: ADMIN_AUTH });
        expect(listing.status).toBe(503);
        expect(listing.body).toEqual({
          error: "store_unavailable",
          message: "The data store is unavailable.",
        });
        refusedWhileFull = load.figures().refused["503 store_unavailable"] ?? 0;
      } finally {
        setFileSizeLimit(server.pid, "unlimited");
      }

      // Space is back: the same process serves again.
      await load.okAfter(50);
      const figures = await load.stop();
      const check = await checkSessions(server.url, sessions);
      expect((await callInstance(server.url, "GET", "/admin/users", { headers: ADMIN_AUTH })).status).toBe(
        200,
      );
      await server.stop();

      reportFault("disk refusing writes (SQLite, RLIMIT_FSIZE=0)", {
        faults: 1,
        inFlight,
        checked: check.checked,
        lost: check.lost.length,
        fiveXx: figures.undocumented5xx,
        extra: `503 store_unavailable while full ${refusedWhileFull}, refreshes ${figures.ok}`,
      });
      expect(figures.undocumented5xx).toBe(0);
      expect(Object.keys(figures.refused)).toEqual(["503 store_unavailable"]);
      expect(check.lost).toEqual([]);
      ws.expectSound();
    });
  },
);
