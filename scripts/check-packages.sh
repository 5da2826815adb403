#!/usr/bin/env bash
# CI step: the packages as a user gets them. Packs every public package (npm run pack), then, in
# scratch projects outside the repository with only the npm registry:
#  1. installs the server tarballs, runs `npx tessera serve` and `npx tessera users add`;
#  2. installs @tessera/verify, @tessera/client and @tessera/store-redis, checks that no
#     server-side module (@tessera/core, argon2, better-sqlite3) came along, runs the verify
#     README's Express example against that server (one request with a token, one without) and
#     imports the client.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
npm run pack --silent
pk="$repo/dist-packages"
v=$(node -p 'require("./packages/server/package.json").version')
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

echo "== server tarballs in $work/auth"
mkdir "$work/auth" && cd "$work/auth"
npm init -y >/dev/null
npm install --silent "$pk"/tessera-{core,store-sqlite,store-postgres,store-redis,doctor,server}-"$v".tgz
port=$(node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
export PORT=$port TESSERA_LOG_LEVEL=warn
# The bin itself, not `npx`: npx does not pass a SIGTERM on to the server.
./node_modules/.bin/tessera serve >serve.log 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" serve.log && break; sleep 0.2; done
grep "listening on http://localhost:$port" serve.log
printf 'correct horse battery staple\n' | npx tessera users add ada@example.com
npx tessera-doctor --help >/dev/null
access=$(curl -sf -X POST "http://127.0.0.1:$port/auth/login" -H 'content-type: application/json' \
  -d '{"email":"ada@example.com","password":"correct horse battery staple"}' | node -p 'JSON.parse(require("fs").readFileSync(0,"utf8")).access_token')

echo "== resource-server tarballs in $work/api"
mkdir "$work/api" && cd "$work/api"
npm init -y >/dev/null
npm pkg set type=module
npm install --silent "$pk"/tessera-{verify,client,store-redis}-"$v".tgz express
for heavy in @tessera/core @node-rs/argon2 argon2 better-sqlite3 pg; do
  if [ -e "node_modules/$heavy" ]; then
    echo "check-packages: installing @tessera/verify, @tessera/client and @tessera/store-redis pulled $heavy" >&2
    exit 1
  fi
done
# The verify README's Express example, with the issuer on this run's port, listening on a free
# port, then one request with the token and one without, and exit.
cat >app.js <<JS
import express from "express";
import { createVerifier } from "@tessera/verify";
import { expressAuth, requireScope } from "@tessera/verify/express";

const verifier = createVerifier({ issuer: "http://localhost:$port", audience: "tessera" });
const app = express();
app.use(expressAuth(verifier)); // 401 + WWW-Authenticate unless a valid Bearer token is sent
app.get("/me", (req, res) => res.json({ user: req.auth.sub }));
app.post("/orders", requireScope("orders:write"), (req, res) => res.status(201).json({ ok: true }));
const server = app.listen(0, "127.0.0.1", async () => {
  const url = \`http://127.0.0.1:\${server.address().port}/me\`;
  const withToken = await fetch(url, { headers: { authorization: \`Bearer \${process.env.ACCESS_TOKEN}\` } });
  const without = await fetch(url);
  console.log(withToken.status, JSON.stringify(await withToken.json()), without.status);
  server.close();
  process.exitCode = withToken.status === 200 && without.status === 401 ? 0 : 1;
});
JS
ACCESS_TOKEN=$access node app.js
node --input-type=module -e '
import { createClient } from "@tessera/client";
import { redisRevocationSource } from "@tessera/store-redis/revocation-source";
import { createRequire } from "node:module";
const { version } = createRequire(import.meta.url)("@tessera/client/package.json");
if (typeof createClient !== "function" || typeof redisRevocationSource !== "function") process.exit(1);
console.log(`@tessera/client ${version}: createClient imported`);'
echo "check-packages: ok"
