// AssemblyScript's integer type names, so that the files shared by the wasm modules and
// TypeScript (assembly/layout.ts, records.ts, book/events.ts) type-check as TypeScript too. At run
// time they are all JavaScript numbers; the package build (scripts/build.ts) writes `number` for
// them in the published declarations, so consumers never see these names.
type u32 = number;
type i32 = number;
type usize = number;
// Only for constants a double holds exactly (at most 2^53 - 1).
type u64 = number;
