// The live SQL Server suite reads SLUICE_TEST_MSSQL with this parser; both common spellings work.
import { describe, expect, it } from "vitest";
import { parseSqlServerConnectionString } from "../integration/sqlserver/connection-string.js";

describe("SLUICE_TEST_MSSQL connection strings", () => {
  it("reads an ADO.NET-style string", () => {
    expect(
      parseSqlServerConnectionString(
        "Server=tcp:db.local,14330;Database=sluice_test;User Id=sa;Password=p4ss;Encrypt=false;TrustServerCertificate=true",
      ),
    ).toMatchObject({
      host: "db.local",
      port: 14330,
      database: "sluice_test",
      user: "sa",
      password: "p4ss",
      encrypt: false,
      trust_server_certificate: true,
    });
  });

  it("reads a URL with escaped credentials and defaults the port", () => {
    expect(
      parseSqlServerConnectionString("mssql://sa:S3cret%21@localhost/sluice_test?encrypt=false"),
    ).toMatchObject({
      host: "localhost",
      port: 1433,
      database: "sluice_test",
      user: "sa",
      password: "S3cret!",
      encrypt: false,
    });
  });
});
