// Errors thrown by the input readers. Only problems that leave nothing to read are thrown (the file
// cannot be opened, or is not a format we know); damage inside a recognised file (a cut final
// record, a corrupt block length, a broken gzip stream) ends the stream and is counted in the
// reader's stats instead, so a long run keeps everything that was whole.

import { XdpfeedError } from "../../bridge/errors.js";

export type InputErrorCode =
  | "ENOENT" // the file does not exist
  | "EACCES" // no permission to read it
  | "EISDIR" // the path is a directory
  | "EOPEN" // any other failure to open or read it (the errno name is in `cause`)
  | "EFORMAT"; // not a format this reader understands

export class InputError extends XdpfeedError {
  declare readonly code: InputErrorCode;
  /** The path exactly as the caller passed it. */
  readonly path: string;
  constructor(code: InputErrorCode, path: string, message: string, cause?: unknown) {
    super(code, message, { cause });
    this.name = "InputError";
    this.path = path;
  }
}

const OPEN_REASONS: Record<string, [InputErrorCode, string]> = {
  ENOENT: ["ENOENT", "no such file"],
  ENOTDIR: ["ENOENT", "no such file"], // a path component is a regular file
  EACCES: ["EACCES", "permission denied"],
  EPERM: ["EACCES", "permission denied"],
  EISDIR: ["EISDIR", "is a directory"],
};

/** Turns a failed open/stat/read of `path` into a one-line error: `cannot open FILE: no such file`. */
export function openError(path: string, err: unknown): InputError {
  const sys = (err as NodeJS.ErrnoException | null)?.code ?? "";
  const [code, why] = OPEN_REASONS[sys] ?? ["EOPEN", sys !== "" ? sys : String(err)];
  return new InputError(code, path, `cannot open ${path}: ${why}`, err);
}
