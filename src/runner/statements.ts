// Hooks and operations are scripts of several statements; models are single statements.

/** Splits a script on semicolons at line ends, leaving out empty and comment-only pieces. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !/^(--[^\n]*\s*)+$/.test(s));
}
