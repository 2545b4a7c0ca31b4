// Starting a worker_thread on a TypeScript module. xdpfeed runs from its .ts sources through
// tsx, and Node 20 does not apply --import hooks to a worker's entry, so the worker registers
// tsx itself before importing the module.

import { Worker } from "node:worker_threads";

export function startWorker(module: URL, workerData: unknown): Worker {
  if (!module.pathname.endsWith(".ts")) return new Worker(module, { workerData });
  const entry = JSON.stringify(module.href);
  return new Worker(`import("tsx/esm/api").then((m) => { m.register(); return import(${entry}); });`, { eval: true, workerData });
}
