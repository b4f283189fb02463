// The column types dbt gives a seed's CSV columns, for a dbt project's seeds to load as dbt loads
// them: dbt's agate type test, column by column, over every row (whole numbers → INTEGER, other
// numbers → DOUBLE, %Y-%m-%d → DATE, date-times → TIMESTAMP, true/false → BOOLEAN, else VARCHAR;
// "" and "null" are NULL). The names are DuckDB's, which reads every seed file.

const NULLS = new Set(["", "null"]);
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

type Kind = "number" | "date" | "datetime" | "boolean" | "text";
const ORDER: Kind[] = ["number", "date", "datetime", "boolean", "text"];

/** Column name → DuckDB type for every column of `csv`; `explicit` types win, as in dbt. */
export function dbtSeedColumnTypes(
  csv: string,
  delimiter: string,
  explicit: Record<string, string>,
): Record<string, string> {
  const rows = parseCsv(csv.replace(/^\uFEFF/, ""), delimiter);
  const header = rows.shift() ?? [];
  const out: Record<string, string> = {};
  header.forEach((name, i) => {
    if (explicit[name] !== undefined) {
      out[name] = explicit[name]!;
      return;
    }
    const values = rows.map((r) => (r[i] ?? "").trim()).filter((v) => !NULLS.has(v.toLowerCase()));
    const kind = ORDER.find((k) => values.every((v) => fits(k, v)))!;
    const decimals = kind === "number" && values.some((v) => /\.\d|[eE]-/.test(v) || /\.$/.test(v));
    out[name] =
      kind === "number"
        ? decimals
          ? "DOUBLE"
          : "INTEGER"
        : kind === "date"
          ? "DATE"
          : kind === "datetime"
            ? "TIMESTAMP"
            : kind === "boolean"
              ? "BOOLEAN"
              : "VARCHAR";
  });
  return out;
}

function fits(kind: Kind, value: string): boolean {
  switch (kind) {
    case "number":
      return NUMBER.test(value.replace(/,/g, ""));
    case "date":
      return DATE.test(value);
    case "datetime":
      return DATETIME.test(value);
    case "boolean":
      return value.toLowerCase() === "true" || value.toLowerCase() === "false";
    case "text":
      return true;
  }
}

/** RFC 4180 CSV: quoted fields may hold the delimiter, newlines and doubled quotes. */
export function parseCsv(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ""));
}
