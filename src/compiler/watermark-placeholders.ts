// The placeholders a model's change-window SQL carries at compile time, filled with watermark
// literals by the planner. Compile needs no connection, so the bounds cannot be known earlier.

export function watermarkPlaceholder(bound: "from" | "to", sourceId: string): string {
  return `__SLUICE_WATERMARK_${bound.toUpperCase()}[${sourceId}]__`;
}

/** Replaces every placeholder of `sourceId` with the given SQL literals. */
export function fillWatermarks(sql: string, sourceId: string, from: string, to: string): string {
  return sql
    .split(watermarkPlaceholder("from", sourceId))
    .join(from)
    .split(watermarkPlaceholder("to", sourceId))
    .join(to);
}
