// Input readers: packet captures and NASDAQ ITCH binary files, streamed in batches.

export {
  readPackets, detectFormat, CaptureStats, InputError,
  type ReadPacketsOptions, type PacketBatch, type InputFormat, type InterfaceInfo, type InputErrorCode, type ProgressFn,
} from "./capture.js";
export { readItchBinary, ItchStats, type ItchBatch, type ReadItchOptions } from "./itch.js";
export { ProgressBar, type ProgressOptions, type ProgressStream } from "./progress.js";
