// What runStrategy does before it polls live: the warm-up over synthetic traffic in a scratch
// region (src/strategy/warmup.ts), and pinning the polling thread (bridge/affinity.ts).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runStrategy, itch50, iexDeep, KernelFeedReceiver, openFeed, bookHook, type Strategy } from "../src/index.js";
import { WarmupSource } from "../src/strategy/warmup.js";

const W = suite("warm-up");

W("runs synthetic ITCH through the parser, the book and the loop before ready; the strategy sees none of it", async () => {
  const src = openFeed(itch50, { iface: "lo", ports: [26691], mode: "socket", book: true });
  let ticks = 0;
  let readyAfter: number | undefined;
  try {
    const r = await runStrategy({ onTick: () => void ticks++, onBbo: () => void ticks++ }, src, {
      durationMs: 100, book: bookHook(src.book!), onReady: (w) => (readyAfter = w?.records),
    });
    assert.ok((r.warmup?.records ?? 0) >= 20_000, `warm-up records ${r.warmup?.records}`);
    assert.is(readyAfter, r.warmup!.records, "ready is reported after the warm-up");
    assert.is(ticks, 0, "no synthetic tick reached the strategy");
    assert.equal([src.summary().messages, src.summary().packets], [0, 0], "the live parser's counters are untouched");
  } finally {
    src.close();
  }
});

W("with strategy: true the strategy's own handlers run the synthetic ticks, flagged by ctx.warmup", async () => {
  const src = KernelFeedReceiver.open(itch50, { ports: [0] });
  const seen = { warm: 0, live: 0 };
  const s: Strategy = { onTick: (_t, ctx) => void (ctx.warmup ? seen.warm++ : seen.live++) };
  try {
    await runStrategy(s, src, { durationMs: 50, warmup: { strategy: true, messages: 5_000 } });
    assert.ok(seen.warm >= 5_000, `warm-up ticks ${seen.warm}`);
    assert.is(seen.live, 0);
  } finally {
    src.close();
  }
});

W("IEX DEEP warm-up traffic parses: messages of every type, none rejected", () => {
  const w = new WarmupSource(iexDeep, true, 2_000);
  let records = 0;
  for (let n = w.poll(); n > 0 || !w.done; n = w.poll()) records += n;
  const s = w.summary();
  assert.is(s.messages, 2_000);
  assert.equal(s.rejected, {});
  assert.ok(Object.keys(s.byType).length === Object.keys(iexDeep.schema.messages).length, JSON.stringify(s.byType));
  assert.ok(records >= 2_000);
});

W("warmup: false skips it", async () => {
  const src = KernelFeedReceiver.open(itch50, { ports: [0] });
  try {
    const r = await runStrategy({}, src, { durationMs: 20, warmup: false });
    assert.is(r.warmup, undefined);
  } finally {
    src.close();
  }
});

W.run();

const P = suite("CPU pinning");

P("the polling thread runs on its CPU alone and the process's other threads move off it", () => {
  const affinity = fileURLToPath(new URL("../bridge/affinity.ts", import.meta.url));
  const script = `
    import { Worker } from "node:worker_threads";
    import { allowedCpus, threadCpus } from ${JSON.stringify(affinity)};
    const cpus = allowedCpus();
    if (cpus.length < 2) { console.log(JSON.stringify({ skip: cpus.length })); process.exit(0); }
    const w = new Worker(\`
      import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(affinity)}); }).then(({ pinThread }) => {
        return import("node:worker_threads").then((wt) => wt.parentPort.postMessage(pinThread(${"$"}{cpus[0]})));
      });\`, { eval: true });
    w.on("message", (p) => {
      console.log(JSON.stringify({ pinned: p, worker: threadCpus(p.tid), main: threadCpus(process.pid), cpu: cpus[0] }));
      w.terminate();
    });`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
  if (out.skip !== undefined) return console.log(`# skipped: this process may run on ${out.skip} CPU`);
  assert.equal(out.worker, [out.cpu]);
  assert.not.ok(out.main.includes(out.cpu), `main thread on ${out.main}`);
  assert.ok(out.pinned.moved >= 1);
});

P.run();
