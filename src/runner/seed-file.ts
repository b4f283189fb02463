// Reads a seed CSV into checked rows: the whole file is parsed (by csv-parse) and its shape
// validated before anything is loaded, so a broken file fails with its line instead of replacing
// a good table with whatever a sniffer made of it.
import { parse } from "csv-parse/sync";

/** A seed file that cannot be loaded, with the line to look at and what to do about it. */
export class SeedError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    problem: string,
    readonly fix: string,
  ) {
    super(`${path}:${line}: ${problem}; ${fix}`);
    this.name = "SeedError";
  }
}

/** One data row of a seed: its cells as text (`null` for an empty field) and the line it starts on. */
export interface SeedRow {
  line: number;
  values: (string | null)[];
}

export interface SeedTable {
  columns: string[];
  rows: SeedRow[];
}

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/**
 * Parses `text` (the content of `path`, for messages) and checks it: a header of distinct, named
 * columns, at least one data row, every row as long as the header. Empty fields become NULL, as
 * DuckDB and dbt read them.
 */
export function parseSeed(path: string, text: string, delimiter: string): SeedTable {
  let records: ParsedRecord[];
  try {
    records = parse(text, {
      delimiter,
      bom: true,
      info: true,
      skip_empty_lines: true,
    }) as unknown as ParsedRecord[];
  } catch (e) {
    throw parseError(path, e);
  }
  const [header, ...data] = records;
  if (!header)
    throw new SeedError(path, 1, "the file is empty", "add a header line naming the columns, then the rows");
  const columns = header.record.map((c) => c.trim());
  const seen = new Set<string>();
  for (const [i, name] of columns.entries()) {
    if (name === "")
      throw new SeedError(
        path,
        1,
        `column ${i + 1} of the header has no name`,
        "name every column in the header line",
      );
    if (seen.has(name.toLowerCase()))
      throw new SeedError(
        path,
        1,
        `two columns are named '${name}'`,
        "rename one of them in the header line",
      );
    seen.add(name.toLowerCase());
  }
  if (data.length === 0) {
    throw new SeedError(
      path,
      header.info.lines + 1,
      "the file has a header but no rows",
      "add the rows, or delete the file if the seed is no " +
        "longer wanted (an empty seed would empty its table)",
    );
  }
  const rows = data.map(({ record, info }) => ({
    // csv-parse counts the line a record ends on; a quoted value spanning lines starts it earlier.
    line: info.lines - record.reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0),
    values: record.map((v) => (v === "" ? null : v)),
  }));
  return { columns, rows };
}

function parseError(path: string, e: unknown): SeedError {
  const error = e as { code?: string; lines?: number; message?: string; record?: string[] };
  const line = error.lines ?? 1;
  if (error.code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH") {
    const expected = /expect (\d+)/.exec(error.message ?? "")?.[1] ?? "?";
    const got = error.record?.length ?? Number(/got (\d+)/.exec(error.message ?? "")?.[1] ?? NaN);
    const fix =
      got > Number(expected)
        ? "remove the extra fields, or quote a value that contains the delimiter"
        : "add the missing fields (leave a field empty for NULL)";
    return new SeedError(
      path,
      line,
      `this row has ${got} field${got === 1 ? "" : "s"}, the header has ${expected}`,
      fix,
    );
  }
  if (error.code === "CSV_QUOTE_NOT_CLOSED") {
    return new SeedError(path, line, "a quoted value is never closed", "add the closing double quote");
  }
  const message = (error.message ?? String(e)).replace(/ (on|at) line \d+$/, "");
  return new SeedError(
    path,
    line,
    message,
    "fix the CSV syntax on that line (values with quotes or delimiters go in double quotes)",
  );
}

const TYPE_SHAPES: [string, RegExp][] = [
  ["BOOLEAN", /^(true|false)$/i],
  ["BIGINT", /^[+-]?\d{1,18}$/],
  ["DOUBLE", /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/],
  ["DATE", /^\d{4}-\d{2}-\d{2}$/],
  ["TIMESTAMP", /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/],
];

/**
 * The types a column's values could all be, most specific first, judged by their spelling; the
 * engine still checks each value casts (a `2024-02-30` looks like a date and is not one).
 * Always ends with VARCHAR. A column with no values at all is VARCHAR.
 */
export function typeCandidates(values: (string | null)[]): string[] {
  const present = values.filter((v): v is string => v !== null);
  if (present.length === 0) return ["VARCHAR"];
  return [
    ...TYPE_SHAPES.filter(([, shape]) => present.every((v) => shape.test(v))).map(([t]) => t),
    "VARCHAR",
  ];
}
