// Lands rows from another engine in a DuckDB staging table through the appender, one data chunk at
// a time, holding one batch in memory (the appender hands its rows to DuckDB's storage as its
// buffer fills). Shared by the database-file adapter and the lake adapter.
import { DuckDBDataChunk } from "@duckdb/node-api";
import type { Column, RelationName, RowBatch, Session } from "../contract.js";
import type { DuckDbSession } from "./duckdb-connection.js";
import * as sql from "./duckdb-sql.js";
import { batchAppender, stagingType } from "./duckdb-values.js";

/**
 * Creates `staging` in `catalog` from the first batch's columns, appends every row, then runs `use`
 * with a SELECT that reads the staged rows back in their real types. The staging table is dropped
 * afterwards whatever happens; `missing` names the relation when no batch (hence no column) arrived.
 */
export async function withStagedRows<T>(
  session: Session,
  staging: RelationName,
  catalog: string,
  batches: AsyncIterable<RowBatch>,
  missing: string,
  use: (selectSql: string, columns: Column[]) => Promise<T>,
): Promise<T> {
  let columns: Column[] | undefined;
  let append: ReturnType<typeof batchAppender> | undefined;
  const duck = (session as DuckDbSession).connection;
  let appender: Awaited<ReturnType<typeof duck.createAppender>> | undefined;
  try {
    for await (const batch of batches) {
      if (!columns) {
        columns = batch.columns;
        await session.execute(sql.createStaging(staging, columns));
        appender = await duck.createAppender(staging.name, staging.schema, staging.database ?? catalog);
        append = batchAppender(columns, DuckDBDataChunk.create(columns.map((c) => stagingType(c.type))));
      }
      append!(appender!, batch.vectors, batch.rowCount);
    }
    appender?.closeSync();
    appender = undefined;
    if (!columns) throw new Error(`no columns arrived for ${missing}`);
    return await use(sql.selectStaged(staging, columns), columns);
  } finally {
    appender?.closeSync();
    if (columns) await session.execute(sql.dropTable(staging));
  }
}
