// Turns a template's text into nunjucks' render code and its dependency scan: the expensive, pure
// half of compiling a template (parse, transform, code generation), which needs no environment and
// can therefore run in a worker thread or be cached by content hash.
import nunjucks from "nunjucks";
// nunjucks exposes its parser and compiler but not the transformer that sits between them.
import transformer from "nunjucks/src/transformer.js";
import { parseTemplate, scanTemplate, type TemplateScan } from "./scan.js";

interface NunjucksInternals {
  compiler: {
    Compiler: new (
      name: string,
      throwOnUndefined: boolean,
    ) => { compile(ast: unknown): void; getCode(): string };
  };
}

/** A template's generated code and scan, in a form that survives JSON and worker messages. */
export interface TemplateCode {
  code: string;
  scan: Omit<TemplateScan, "calls"> & { calls: string[] };
}

/** A template that does not parse: nunjucks' message and position. */
export interface TemplateCodeError {
  error: string;
  line: number;
  column: number;
}

export function generateTemplateCode(path: string, text: string): TemplateCode {
  const ast = parseTemplate(text);
  const scan = scanTemplate(ast);
  const compiler = new (nunjucks as unknown as NunjucksInternals).compiler.Compiler(path, true);
  compiler.compile(transformer.transform(ast, [], path));
  return { code: compiler.getCode(), scan: { ...scan, calls: [...scan.calls] } };
}

/** Like generateTemplateCode, but returns a syntax error as data (for workers and batches). */
export function tryGenerateTemplateCode(path: string, text: string): TemplateCode | TemplateCodeError {
  try {
    return generateTemplateCode(path, text);
  } catch (e) {
    const err = e as { message?: string; lineno?: number; colno?: number };
    // nunjucks' parse errors carry 1-based positions.
    return { error: String(err.message ?? e), line: err.lineno ?? 1, column: err.colno ?? 1 };
  }
}

export function scanOf(code: TemplateCode): TemplateScan {
  return { ...code.scan, calls: new Set(code.scan.calls) };
}
