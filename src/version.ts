// sluice's own version, recorded in every manifest and printed by `sluice --version`.
export const SLUICE_VERSION = "0.1.0";
