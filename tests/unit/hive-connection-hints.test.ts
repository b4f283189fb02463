// The hint a failed HiveServer2 opening carries: each row is how a server in another mode answered
// (as tests/integration/spark/transports.test.ts sees it live) and the setting the hint must name.
import { describe, expect, it } from "vitest";
import { mismatchHint } from "../../src/adapters/hive/hive-connection.js";
import { HiveConnection } from "../../src/project/connection-schema.js";

const profile = (transport: "binary" | "http", auth: "nosasl" | "plain" | "none") =>
  HiveConnection.parse({ type: "hive", host: "h", transport, auth });

const cases: Array<[string, HiveConnection, string, RegExp | ""]> = [
  [
    "binary PLAIN login to an HTTP server (Jetty's 400 page)",
    profile("binary", "plain"),
    "Authentication error: 1.1 400 Illegal character CNTL=0x1",
    /set transport: http/,
  ],
  [
    "binary NOSASL to a server that wants a login",
    profile("binary", "nosasl"),
    "connection to x was closed by the server",
    /set auth: none \(or plain\)/,
  ],
  [
    "HTTP to a binary server that drops the socket",
    profile("http", "plain"),
    "connection to x failed: socket hang up",
    /set transport: binary/,
  ],
  [
    "HTTP to a binary server that answers bytes",
    profile("http", "none"),
    "failed: Parse Error: Expected HTTP/, RTSP/ or ICE/",
    /set transport: binary/,
  ],
  [
    "HTTP to the wrong path",
    profile("http", "plain"),
    "Received a response with a bad HTTP status code: 405",
    /set http_path/,
  ],
  [
    "HTTP login refused",
    profile("http", "plain"),
    "Received a response with a bad HTTP status code: 401",
    /check user and password/,
  ],
  [
    "nothing listening",
    profile("binary", "nosasl"),
    "connect ECONNREFUSED 127.0.0.1:1",
    /Nothing listens there/,
  ],
  [
    "an unrelated failure",
    profile("binary", "plain"),
    "Authentication error: Error validating the login",
    "",
  ],
];

describe("mismatchHint", () => {
  it.each(cases)("%s", (_, config, message, hint) => {
    if (hint === "") expect(mismatchHint(config, message)).toBe("");
    else expect(mismatchHint(config, message)).toMatch(hint);
  });
});
