// A step refused by sluice itself before anything is written (an on_schema_change or a contract that
// does not hold): its message already names the files and lines to look at, so the runner reports it
// as it is, not as an engine's error to explain.
export class BuildRefusal extends Error {}
