// Asks a HiveServer2 endpoint for one row over NOSASL binary transport; exits 0 when it answers.
// Used by start.sh to tell "port open" from "ready to run queries".
import hive from "hive-driver";

const [host = "127.0.0.1", port = "10000"] = process.argv.slice(2);
const { TCLIService, TCLIService_types } = hive.thrift;
const timer = setTimeout(() => {
  console.error("probe: no answer within 10 s");
  process.exit(1);
}, 10_000);

try {
  const client = await new hive.HiveClient(TCLIService, TCLIService_types).connect(
    { host, port: Number(port), options: { connect_timeout: 5000, timeout: 10_000 } },
    new hive.connections.TcpConnection(),
    new hive.auth.NoSaslAuthentication(),
  );
  const session = await client.openSession({
    client_protocol: TCLIService_types.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10,
  });
  const op = await session.executeStatement("SELECT 1 AS ok", { runAsync: false });
  await op.fetch();
  await op.close();
  await session.close();
  client.close();
  clearTimeout(timer);
  process.exit(0);
} catch (error) {
  console.error(`probe: ${error instanceof Error ? error.message : JSON.stringify(error)}`);
  process.exit(1);
}
