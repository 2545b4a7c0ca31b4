// Starting a worker_thread on one of xdpfeed's modules. From the installed package the modules
// are compiled JavaScript and the worker starts on the file itself. In a checkout xdpfeed runs
// from its .ts sources through tsx (a development dependency), and Node 20 does not apply
// --import hooks to a worker's entry, so the worker registers tsx itself before importing it.

import { Worker } from "node:worker_threads";

/** The module `name` beside `from` (an import.meta.url), in the form `from` has: .ts or .js. */
export function sibling(name: string, from: string): URL {
  return new URL(`./${name}${from.endsWith(".ts") ? ".ts" : ".js"}`, from);
}

export function startWorker(module: URL, workerData: unknown): Worker {
  if (!module.pathname.endsWith(".ts")) return new Worker(module, { workerData });
  const entry = JSON.stringify(module.href);
  return new Worker(`import("tsx/esm/api").then((m) => { m.register(); return import(${entry}); });`, { eval: true, workerData });
}
