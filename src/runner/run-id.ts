// Run ids: sortable by time, unique across processes, short enough for temporary table names.
import { randomBytes } from "node:crypto";

export function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `${stamp}_${randomBytes(3).toString("hex")}`;
}
