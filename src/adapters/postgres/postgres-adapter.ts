// The PostgreSQL adapter: sessions over `pg`, writes built by postgres-sql.ts and landed by the
// shared write path (built-table-adapter.ts), introspection. PostgreSQL's DDL is transactional, so
// each swap and each incremental write is one transaction.
import type { PostgresConnection } from "../../project/connection-schema.js";
import { BuiltTableAdapter } from "../built-table-adapter.js";
import type { Column, Introspector, RelationName, RowBatch, Session } from "../contract.js";
import { POSTGRES_CAPABILITIES } from "./postgres-capabilities.js";
import { PostgresSession } from "./postgres-connection.js";
import { postgresDialect } from "./postgres-dialect.js";
import { PostgresIntrospector } from "./postgres-introspector.js";
import { copyFromStdinSql, createViewSql, postgresStatements } from "./postgres-sql.js";

export interface PostgresAdapterOptions {
  /** Goes into temporary relation names so two runs never collide; random when not given. */
  runId?: string;
}

export class PostgresAdapter extends BuiltTableAdapter<PostgresSession> {
  readonly type = "postgres" as const;
  readonly capabilities = POSTGRES_CAPABILITIES;
  readonly dialect = postgresDialect;

  constructor(
    connectionName: string,
    private readonly config: PostgresConnection,
    options: PostgresAdapterOptions = {},
  ) {
    super(connectionName, config.schema, config.pool_max, options.runId, postgresStatements);
  }

  introspector(session: Session): Introspector {
    return new PostgresIntrospector(this.own(session));
  }

  async version(session: Session): Promise<string> {
    const { rows } = await this.own(session).query("SELECT version()");
    return String(rows[0]?.[0] ?? "unknown");
  }

  async createView(session: Session, rel: RelationName, selectSql: string): Promise<void> {
    const s = this.own(session);
    await s.execute(createViewSql(rel, selectSql, await this.kindOf(s, rel)));
  }

  protected connect(onClose: () => void): Promise<PostgresSession> {
    return PostgresSession.open(this.config, onClose);
  }

  /** COPY FROM STDIN, with the stream's backpressure: one batch in flight at a time. */
  protected bulkLoad(
    s: PostgresSession,
    staging: RelationName,
    columns: Column[],
    rows: AsyncIterable<RowBatch>,
  ): Promise<number> {
    return s.copyIn(copyFromStdinSql(staging, columns), rows);
  }

  protected own(session: Session): PostgresSession {
    if (!(session instanceof PostgresSession))
      throw new Error("The PostgreSQL adapter was handed a session of another engine");
    return session;
  }
}
