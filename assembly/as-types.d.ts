// AssemblyScript's integer type names, so that the files shared by the wasm modules and
// TypeScript (assembly/layout.ts, records.ts, book/events.ts) type-check as TypeScript too. At run
// time they are all JavaScript numbers; declarations published for the package are to say
// `number` for them, so that consumers never see these names.
type u32 = number;
type i32 = number;
type usize = number;
