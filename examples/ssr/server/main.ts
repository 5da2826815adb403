import { startSsrExample } from "./start.js";

// `npm start -w @tessera/example-ssr`: the example on http://127.0.0.1:3100 (`SSR_PORT`), with
// an in-memory database and two accounts whose password is `correct horse battery staple`.
const port = Number(process.env.SSR_PORT ?? 3100);
const example = await startSsrExample({ port, password: "correct horse battery staple" });
console.log(`SSR example on ${example.url} — sign in as admin@example.com or user@example.com`);
console.log('password: "correct horse battery staple"');
