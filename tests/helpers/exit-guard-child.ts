// A process that ends through runToExit, for tests/unit/exit-guard.test.ts:
//   pending   main never settles and nothing else keeps the event loop alive
//   code N    main settles on N after a timer
//   reject    main fails
// Started as `node --import tsx tests/helpers/exit-guard-child.ts MODE [N]`.
import { runToExit } from "../../src/cli/exit-guard.js";

const [mode, n] = process.argv.slice(2);
runToExit(() => {
  if (mode === "pending") return new Promise<number>(() => undefined);
  if (mode === "reject") return Promise.reject(new Error("main failed"));
  return new Promise<number>((resolve) => setTimeout(() => resolve(Number(n)), 50));
});
