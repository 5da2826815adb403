// A planted defect, to show the soak catches one: loaded into the server under test by
// `npm run soak -- --plant-leak` (NODE_OPTIONS=--import), it keeps 4 kB for every request and
// leaks one file descriptor every 200 requests. Never loaded otherwise.
import { openSync } from "node:fs";
import http from "node:http";

const kept = [];
let requests = 0;
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, ...args) {
  if (event === "request") {
    requests += 1;
    kept.push(Buffer.alloc(4096, requests % 256));
    if (requests % 200 === 0) openSync("/dev/null", "r");
  }
  return emit.call(this, event, ...args);
};
