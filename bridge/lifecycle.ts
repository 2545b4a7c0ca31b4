// Whatever xdpfeed opened is closed on the way out: close(), normal exit, an uncaught exception
// (Node exits, 'exit' runs) and SIGINT/SIGTERM. SIGKILL runs no code; there the kernel closes
// the descriptors, and since the program hangs on a bpf_link, that detaches it too.

import { isMainThread } from "node:worker_threads";

export interface Closable {
  close(): void;
}

const open = new Set<Closable>();
let installed = false;

function closeAll(): void {
  // Last opened first: a socket before the program it registered in.
  for (const c of [...open].reverse()) {
    try {
      c.close();
    } catch {
      // Exiting: nothing left to report to.
    }
  }
  open.clear();
}

function onSignal(sig: NodeJS.Signals): void {
  // An application with its own handler decides when to exit; 'exit' still closes everything.
  if (process.listenerCount(sig) > 1) return;
  closeAll();
  // Die of the signal, as Node would have without a handler.
  process.removeListener(sig, onSignal);
  process.kill(process.pid, sig);
}

export function track(c: Closable): void {
  if (!installed) {
    installed = true;
    process.on("exit", closeAll);
    if (isMainThread) {
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
    }
  }
  open.add(c);
}

export function untrack(c: Closable): void {
  open.delete(c);
}
