// xdpfeed: kernel-bypass market data. Public API.
export { XdpSocket, FrameBatch, type SocketOptions, type SocketStats } from "./socket/socket.js";
export { sendTraffic, type TrafficOptions, type TrafficResult } from "./socket/traffic.js";
export { udpFrame, udpHeaders, genPayload, type UdpEndpoints } from "./socket/frame.js";
export { instantiate, compileModule, modulePath, type FeedExports } from "./socket/module.js";
export { startWorker } from "./strategy/worker.js";
export { XdpProgram, registerSocket, programCounters, type ProgramOptions, type ProgramHandle, type ProgramCounters, type ProgramTimestamps, type AttachMode } from "../bridge/program.js";
export { XskSocket, type XskOptions, type XdpStatistics, type BindMode } from "../bridge/xsk.js";
export { DEFAULT_GEOMETRY, memoryMap, type Geometry, type MemoryMap } from "../bridge/memory-map.js";
export { XdpfeedError, XdpError, type XdpErrorCode } from "../bridge/errors.js";
export * from "./feeds/index.js";
export { decode, DecodeError, type DecodeOptions, type DecodeSummary } from "./feeds/decode.js";
export { Dispatcher, type Strategy, type Context, type GapEvent, type BboEvent, type BookEvent, type BookSnapshot, type PollSource, type BookHook } from "./strategy/strategy.js";
export { runStrategy, batches, type RunOptions, type RunResult, type RunnableSource } from "./strategy/runner.js";
export { ReplaySource } from "./strategy/replay-source.js";
export { bookHook } from "./strategy/book-hook.js";
export { enableBook, attachBook, BookView, Bbo, Side, type BookCapacities, type BookCounters, type Depth } from "./book/book.js";
export { runQueues, type QueuesOptions, type QueueResult } from "./strategy/queues.js";
