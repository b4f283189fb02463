// Asks a HiveServer2 endpoint for one row; exits 0 when it answers. Used by start.sh to tell "port
// open" from "ready to run queries", in the server's own mode:
//   node probe.mjs HOST PORT [binary|http] [NOSASL|NONE] [HTTP_PATH]   (defaults: binary NOSASL cliservice)
// NONE logs in with a user and password (SASL PLAIN on binary, HTTP Basic on http); NOSASL sends no
// login on binary and, as HiveServer2 still wants a user name over HTTP, Basic anonymous on http.
import hive from "hive-driver";

const [host = "127.0.0.1", port = "10000", transport = "binary", auth = "NOSASL", httpPath = "cliservice"] =
  process.argv.slice(2);
const { TCLIService, TCLIService_types } = hive.thrift;
const timer = setTimeout(() => {
  console.error("probe: no answer within 10 s");
  process.exit(1);
}, 10_000);

const credentials = { username: "sluice_probe", password: "sluice_probe" };
const http = transport === "http";
const connection = http ? new hive.connections.HttpConnection() : new hive.connections.TcpConnection();
const authentication = http
  ? new hive.auth.PlainHttpAuthentication(credentials)
  : auth.toUpperCase() === "NOSASL"
    ? new hive.auth.NoSaslAuthentication()
    : new hive.auth.PlainTcpAuthentication(credentials);

try {
  const client = new hive.HiveClient(TCLIService, TCLIService_types);
  // Thrift reports a refused or dropped connection as an event, not as a rejected call.
  const lost = new Promise((_, reject) => {
    client.on("error", reject);
    client.on("close", () => reject(new Error("connection closed by the server")));
  });
  await Promise.race([
    lost,
    (async () => {
      await client.connect(
        {
          host,
          port: Number(port),
          options: { connect_timeout: 5000, timeout: 10_000, ...(http ? { path: `/${httpPath}` } : {}) },
        },
        connection,
        authentication,
      );
      const session = await client.openSession({
        client_protocol: TCLIService_types.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10,
        ...(http || auth.toUpperCase() !== "NOSASL" ? credentials : {}),
      });
      const op = await session.executeStatement("SELECT 1 AS ok", { runAsync: false });
      await op.fetch();
      await op.close();
      await session.close();
    })(),
  ]);
  client.close();
  clearTimeout(timer);
  process.exit(0);
} catch (error) {
  console.error(`probe: ${error instanceof Error ? error.message : JSON.stringify(error)}`);
  process.exit(1);
}
