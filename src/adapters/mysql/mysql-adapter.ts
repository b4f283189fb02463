// The MySQL/MariaDB adapter: sessions over `mysql2`, writes built by mysql-sql.ts and landed by the
// shared write path (built-table-adapter.ts), introspection. What it can and cannot do atomically
// is spelled out in mysql-capabilities.ts and mysql-sql.ts.
import type { MySqlConnection } from "../../project/connection-schema.js";
import { BuiltTableAdapter } from "../built-table-adapter.js";
import type { Column, Introspector, RelationName, RowBatch, Session } from "../contract.js";
import { MYSQL_CAPABILITIES } from "./mysql-capabilities.js";
import { MySqlSession } from "./mysql-connection.js";
import { mysqlDialect } from "./mysql-dialect.js";
import { MySqlIntrospector } from "./mysql-introspector.js";
import { createViewSql, insertValuesHead, loadDataSql, mysqlStatements } from "./mysql-sql.js";

export interface MySqlAdapterOptions {
  /** Goes into temporary relation names so two runs never collide; random when not given. */
  runId?: string;
}

export class MySqlAdapter extends BuiltTableAdapter<MySqlSession> {
  readonly type = "mysql" as const;
  readonly capabilities = MYSQL_CAPABILITIES;
  readonly dialect = mysqlDialect;

  constructor(
    connectionName: string,
    private readonly config: MySqlConnection,
    options: MySqlAdapterOptions = {},
  ) {
    // MySQL's schemas are its databases: relations that name no schema land in the connection's.
    super(connectionName, config.database, config.pool_max, options.runId, mysqlStatements);
  }

  introspector(session: Session): Introspector {
    return new MySqlIntrospector(this.own(session));
  }

  async version(session: Session): Promise<string> {
    const { rows } = await this.own(session).query("SELECT VERSION()");
    return String(rows[0]?.[0] ?? "unknown");
  }

  async createView(session: Session, rel: RelationName, selectSql: string): Promise<void> {
    const s = this.own(session);
    const statements = createViewSql(
      rel,
      selectSql,
      await this.kindOf(s, rel),
      this.temporary(rel, "tmp"),
      this.temporary(rel, "old"),
    );
    for (const sql of statements) await s.execute(sql);
  }

  protected connect(onClose: () => void): Promise<MySqlSession> {
    return MySqlSession.open(this.config, onClose);
  }

  /** LOAD DATA LOCAL INFILE streamed as it is read, or multi-row INSERTs with `bulk_load: insert`. */
  protected bulkLoad(
    s: MySqlSession,
    staging: RelationName,
    columns: Column[],
    rows: AsyncIterable<RowBatch>,
  ): Promise<number> {
    return this.config.bulk_load === "local_infile"
      ? s.loadData(loadDataSql(staging, columns, staging.name), rows)
      : s.insertRows(insertValuesHead(staging, columns), rows);
  }

  protected own(session: Session): MySqlSession {
    if (!(session instanceof MySqlSession))
      throw new Error("The MySQL adapter was handed a session of another engine");
    return session;
  }
}
