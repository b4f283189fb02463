// Reads SLUICE_TEST_MSSQL into a SqlServerConnection: either an ADO.NET-style string
// (`Server=host,1433;Database=db;User Id=sa;Password=...;Encrypt=false;TrustServerCertificate=true`)
// or a URL (`mssql://user:password@host:1433/db?encrypt=false&trustServerCertificate=true`).
import { SqlServerConnection } from "../../../src/project/connection-schema.js";

const truthy = (v: string | undefined): boolean | undefined =>
  v === undefined ? undefined : ["true", "yes", "1", "mandatory", "strict"].includes(v.trim().toLowerCase());

export function parseSqlServerConnectionString(text: string): SqlServerConnection {
  const raw: Record<string, unknown> = { type: "sqlserver" };
  if (/^(mssql|sqlserver):\/\//i.test(text)) {
    const url = new URL(text.replace(/^sqlserver:/i, "mssql:"));
    raw.host = decodeURIComponent(url.hostname);
    if (url.port) raw.port = Number(url.port);
    raw.database = decodeURIComponent(url.pathname.replace(/^\//, "")) || "master";
    if (url.username) raw.user = decodeURIComponent(url.username);
    if (url.password) raw.password = decodeURIComponent(url.password);
    const encrypt = truthy(url.searchParams.get("encrypt") ?? undefined);
    const trust = truthy(url.searchParams.get("trustServerCertificate") ?? undefined);
    if (encrypt !== undefined) raw.encrypt = encrypt;
    if (trust !== undefined) raw.trust_server_certificate = trust;
  } else {
    const parts = new Map<string, string>();
    for (const pair of text.split(";")) {
      const at = pair.indexOf("=");
      if (at > 0)
        parts.set(pair.slice(0, at).trim().toLowerCase().replace(/\s+/g, " "), pair.slice(at + 1).trim());
    }
    const server = (parts.get("server") ?? parts.get("data source") ?? parts.get("address") ?? "").replace(
      /^tcp:/i,
      "",
    );
    const [host, port] = server.split(",");
    raw.host = host;
    if (port) raw.port = Number(port);
    raw.database = parts.get("database") ?? parts.get("initial catalog") ?? "master";
    const user = parts.get("user id") ?? parts.get("uid") ?? parts.get("user");
    const password = parts.get("password") ?? parts.get("pwd");
    if (user) raw.user = user;
    if (password) raw.password = password;
    const encrypt = truthy(parts.get("encrypt"));
    const trust = truthy(parts.get("trustservercertificate") ?? parts.get("trust server certificate"));
    if (encrypt !== undefined) raw.encrypt = encrypt;
    if (trust !== undefined) raw.trust_server_certificate = trust;
  }
  return SqlServerConnection.parse(raw);
}
