import { afterAll, beforeAll, describe, it } from "vitest";
import {
  changePassword,
  deleteAccount,
  raceLoginsAgainst,
  registerAndLogin,
} from "../test-support/credential-race.js";
import { startTestServer, type TestServer } from "../test-support/test-server.js";

// Regression (issue 14, point 1): a login that checked the old password before a password change
// inserted its session after the change's revocation, and kept a refreshable session; a login
// racing the account's deletion answered 500 (FOREIGN KEY constraint failed).

const LOGINS = 40;
const IP = "203.0.113.40";

describe("logins racing a credential change over HTTP (SQLite)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("a password change leaves no session of a login made with the old password", async () => {
    const urls = [server.url];
    const user = await registerAndLogin(urls, IP);
    await raceLoginsAgainst(urls, user, IP, LOGINS, (url) => changePassword(url, user.access, IP));
  });

  it("an account deletion answers every racing login 200 or invalid_credentials, never 500", async () => {
    const urls = [server.url];
    const user = await registerAndLogin(urls, IP);
    await raceLoginsAgainst(urls, user, IP, LOGINS, (url) => deleteAccount(url, user.access, IP));
  });
});
