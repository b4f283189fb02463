// The sources file the incremental tests share: `app.sales` on connection `src`, change-tracked by
// `updated_at`, with deleted rows recorded in `app.removed` (their month in `ym`).
export function trackedSalesSources(options: { lookback?: string; tables?: string[] } = {}): string {
  const lookback = options.lookback === undefined ? "" : `\n          lookback: "${options.lookback}"`;
  const tables = (options.tables ?? ["removed"]).map((t) => `\n      - name: ${t}`).join("");
  return `sources:
  - name: app
    connection: src
    schema: app
    tables:
      - name: sales
        change_tracking:
          updated_at: updated_at${lookback}
          deletes: { table: removed, key: sale_id, deleted_at: removed_at, partition_columns: [ym] }${tables}
`;
}
