// nunjucks' internal modules that the compiler patches or calls; @types/nunjucks declares only its
// public API. Imported statically (not through require) so the bundle holds one copy of nunjucks.
declare module "nunjucks/src/lexer.js" {
  const lexer: Record<string, string>;
  export default lexer;
}
declare module "nunjucks/src/nodes.js" {
  // biome-ignore lint/suspicious/noExplicitAny: nunjucks' node classes are untyped
  const nodes: any;
  export default nodes;
}
declare module "nunjucks/src/runtime.js" {
  // biome-ignore lint/suspicious/noExplicitAny: nunjucks' runtime is untyped
  const runtime: any;
  export default runtime;
}
declare module "nunjucks/src/lib.js" {
  // biome-ignore lint/suspicious/noExplicitAny: nunjucks' helpers are untyped
  const lib: any;
  export default lib;
}
declare module "nunjucks/src/transformer.js" {
  const transformer: { transform(ast: unknown, asyncFilters: string[], name: string): unknown };
  export default transformer;
}
