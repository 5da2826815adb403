import { postgresTestsEnabled } from "@tessera/store-postgres/testing";
import { redisTestsEnabled, startTestRedis } from "@tessera/store-redis/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NEW_PASSWORD, raceLoginsAgainst, registerAndLogin } from "../test-support/credential-race.js";
import { callInstance, freshClientIp } from "../test-support/instance-call.js";
import { type SmtpSink, startSmtpSink, tokenFromMail } from "../test-support/smtp-sink.js";
import { useCluster } from "../test-support/use-cluster.js";

// Password reset on two `tessera serve` processes over one PostgreSQL, mail over a real SMTP
// server: concurrent redemptions of one token have exactly one winner, and a reset racing logins
// with the old password leaves none of their sessions alive.

describe.skipIf(!postgresTestsEnabled())("password reset races over 2 instances (PostgreSQL)", () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(() => sink?.close());
  const cluster = useCluster({
    instances: 2,
    env: () => ({
      TESSERA_ISSUER: "http://auth.example.test",
      TESSERA_APP_URL: "http://app.example.test",
      TESSERA_SMTP_URL: sink.url,
      TESSERA_RATE_LIMIT_IP: "off",
      TESSERA_RATE_LIMIT_LOGIN: "off",
      TESSERA_RATE_LIMIT_MAIL: "off",
      TESSERA_TRUST_PROXY: "loopback",
    }),
  });

  async function resetToken(email: string, ip: string): Promise<string> {
    const count = sink.mails.length;
    const forgot = await callInstance(cluster.urls[0] as string, "POST", "/auth/password/forgot", {
      json: { email },
      ip,
    });
    expect(forgot.status).toBe(202);
    const mail = await sink.waitFor(
      (m, i = sink.mails.indexOf(m)) =>
        i >= count && m.to.includes(email) && m.text.includes("/reset-password#token="),
    );
    return tokenFromMail(mail).token;
  }

  it("concurrent redemptions of one reset token across both instances: exactly one 204", async () => {
    const ip = freshClientIp();
    const user = await registerAndLogin(cluster.urls, ip);
    const token = await resetToken(user.email, ip);
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        callInstance(cluster.urls[i % 2] as string, "POST", "/auth/password/reset", {
          json: { token, new_password: `${NEW_PASSWORD} ${i}` },
          ip,
        }),
      ),
    );
    expect(answers.filter((a) => a.status === 204)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 204)) {
      expect(a.status).toBe(400);
      expect(a.body.error).toBe("invalid_token");
    }
  });

  it("a reset racing logins with the old password leaves no old-password session", async () => {
    const ip = freshClientIp();
    const user = await registerAndLogin(cluster.urls, ip);
    const token = await resetToken(user.email, ip);
    await raceLoginsAgainst(cluster.urls, user, ip, 24, (url) =>
      callInstance(url, "POST", "/auth/password/reset", { json: { token, new_password: NEW_PASSWORD }, ip }),
    );
  });

  it("no reset token in either instance's output", () => {
    const tokens = sink.mails.map((m) => tokenFromMail(m).token);
    expect(tokens.length).toBeGreaterThan(0);
    for (const instance of cluster.instances) {
      for (const token of tokens) expect(instance.output()).not.toContain(token);
    }
  });
});

describe.skipIf(!postgresTestsEnabled() || !redisTestsEnabled())("mail limits shared through Redis", () => {
  const cluster = useCluster({
    instances: 2,
    redis: startTestRedis,
    env: {
      TESSERA_SMTP_URL: "smtp://127.0.0.1:9",
      TESSERA_RATE_LIMIT_IP: "off",
      TESSERA_RATE_LIMIT_MAIL: "3/1h",
      TESSERA_TRUST_PROXY: "loopback",
    },
  });

  // Checked by hand: without TESSERA_REDIS_URL (per-instance counting) the answers were
  // [202, 202, 202, 202].
  it("the per-address budget spans both instances: the 4th request is 429 on either", async () => {
    const email = "shared-budget@example.test";
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const answer = await callInstance(cluster.urls[i % 2] as string, "POST", "/auth/password/forgot", {
        json: { email },
        ip: freshClientIp(),
      });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
  });
});
