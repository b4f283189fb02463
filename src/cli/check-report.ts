// How `sluice check` reports: plain lines, GitHub workflow annotations, and JUnit XML for CI
// dashboards. Each format gets the same list of diagnostics.
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { formatDiagnostic, type Diagnostic } from "../project/diagnostics.js";

/** `::error file=models/a.sql,line=3,col=9,title=sluice::ref('x') not found; did you mean 'y'?` */
export function githubAnnotation(d: Diagnostic): string {
  const escapeData = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const property = (s: string) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
  const level = d.severity === "error" ? "error" : "warning";
  return (
    `::${level} file=${property(d.file)},line=${d.line},col=${d.column}` +
    `,title=sluice::${escapeData(d.message + (d.hint ? `; ${d.hint}` : ""))}`
  );
}

export function plainLine(d: Diagnostic): string {
  return formatDiagnostic(d);
}

/** A JUnit report: one test case per checked node, failing with the diagnostics found in its file. */
export function writeJunit(
  path: string,
  checked: { name: string; file: string }[],
  diagnostics: Diagnostic[],
  elapsedMs: number,
): void {
  const xml = (s: string) =>
    s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const errors = diagnostics.filter((d) => d.severity === "error");
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of errors) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
  const cases = checked.map(({ name, file }) => {
    const problems = byFile.get(file) ?? [];
    byFile.delete(file);
    return testCase(name, file, problems);
  });
  // Problems in files with no node of their own (profiles.yml, a YAML file) get a case each.
  for (const [file, problems] of byFile) cases.push(testCase(file, file, problems));
  const failures = cases.filter((c) => c.includes("<failure")).length;
  const time = (elapsedMs / 1000).toFixed(3);
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="sluice check" tests="${cases.length}" failures="${failures}" time="${time}">
  <testsuite name="sluice check" tests="${cases.length}" failures="${failures}" time="${time}">
${cases.join("\n")}
  </testsuite>
</testsuites>
`;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, body);

  function testCase(name: string, file: string, problems: Diagnostic[]): string {
    const failuresXml = problems
      .map(
        (d) =>
          `      <failure message="${xml(d.message)}" type="` +
          `${d.severity}">${xml(formatDiagnostic(d))}</failure>`,
      )
      .join("\n");
    return (
      `    <testcase name="${xml(name)}" classname="${xml(file)}" file="` +
      `${xml(file)}">${problems.length ? `\n${failuresXml}\n    ` : ""}</testcase>`
    );
  }
}
