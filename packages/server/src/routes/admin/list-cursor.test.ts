import { postgresTestsEnabled, startTestPostgres, type TestPostgres } from "@tessera/store-postgres/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminCalls } from "../../test-support/admin-calls.js";
import { ADMIN_ENV, startTestServer, type TestServer } from "../../test-support/test-server.js";

// A `cursor` of GET /admin/users is opaque, but a caller can make one up: whatever it decodes to
// must be refused as 400 unless it is a user id, on every store (PostgreSQL refuses a NUL in text
// outright, which surfaced as a 500).
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64url");
const FORGED = [b64("\u0000"), b64("a\u0000b"), b64("x'; --"), b64("é"), b64("a".repeat(129)), "_w"];

const stores: Array<[string, () => Promise<string>]> = [["SQLite", async () => "sqlite::memory:"]];
let pg: TestPostgres | undefined;
if (postgresTestsEnabled()) {
  stores.push([
    "PostgreSQL",
    async () => {
      pg ??= await startTestPostgres();
      return pg.createDatabase();
    },
  ]);
}
afterAll(async () => {
  await pg?.stop();
});

describe.each(stores)("GET /admin/users with a forged cursor (%s)", (_name, databaseUrl) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ...ADMIN_ENV, TESSERA_DATABASE_URL: await databaseUrl() });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("answers 400 invalid_request for a cursor that is not a user id, and pages on from a real id", async () => {
    const admin = adminCalls(server);
    const [first, second] = [await admin.createUser(), await admin.createUser()].sort((a, b) =>
      a.id < b.id ? -1 : 1,
    );
    for (const cursor of FORGED) {
      const res = await admin.call("GET", `/admin/users?cursor=${cursor}`);
      expect(res.status, cursor).toBe(400);
      expect(res.body).toEqual({ error: "invalid_request", message: "The request is malformed." });
    }
    const after = await admin.call("GET", `/admin/users?cursor=${b64(first?.id ?? "")}`);
    expect(after.status).toBe(200);
    expect(after.body.users.map((u: { id: string }) => u.id)).toEqual([second?.id]);
  });
});
