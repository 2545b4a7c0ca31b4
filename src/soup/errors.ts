// Errors of the SoupBinTCP client and server and of the GLIMPSE snapshot loader. Each names what
// the peer did (or failed to do) and what to change; `code` is stable for programs.

import { XdpfeedError } from "../../bridge/errors.js";

export type SoupErrorCode =
  | "ETYPE" // a packet type the peer may not send
  | "ELENGTH" // a packet longer than the configured maximum, or of the wrong length for its type
  | "EFIELD" // a field that does not read (a sequence number that is no number), or an argument that does not fit its field
  | "EORDER" // a packet out of protocol order (data before the login was accepted, a second login)
  | "EREJECTED" // the server rejected the login (`reason`: 'A' not authorized, 'S' session not available)
  | "EHEARTBEAT" // nothing from the peer for longer than the heartbeat timeout
  | "ECLOSED" // the connection closed before the protocol's end (mid-snapshot, before the login's answer)
  | "ETIMEOUT" // the whole operation took longer than its timeout
  | "ECONNECT"; // the TCP connection could not be opened (the errno is in `cause`)

/** The Login Rejected packet's reason codes, as the specification names them. */
export const REJECT_REASONS: Readonly<Record<string, string>> = Object.freeze({
  A: "not authorized (invalid username or password)",
  S: "session not available (the requested session is not valid or not available)",
});

export class SoupError extends XdpfeedError {
  declare readonly code: SoupErrorCode;
  /** EREJECTED: the Login Rejected packet's reason code ('A', 'S', or what the server sent). */
  readonly reason: string;
  constructor(code: SoupErrorCode, message: string, o: { reason?: string; cause?: unknown } = {}) {
    super(code, message, { cause: o.cause });
    this.name = "SoupError";
    this.reason = o.reason ?? "";
  }
}

/** The error for a Login Rejected packet with reason code `reason`, naming the fix. */
export function rejectedError(reason: string, username: string, session: string): SoupError {
  const what = REJECT_REASONS[reason] ?? `an unknown reason code ${JSON.stringify(reason)}`;
  const fix = reason === "A"
    ? `check the username ('${username}') and password the server expects`
    : reason === "S"
      ? `request the current session (leave the session blank) or one the server has${session ? ` (asked for '${session}')` : ""}`
      : "see the server's documentation for this code";
  return new SoupError("EREJECTED", `the server rejected the login: ${what}; ${fix}`, { reason });
}

/** The error for a connection that failed to open, from Node's system error. */
export function connectError(host: string, port: number, err: unknown): SoupError {
  const sys = (err as NodeJS.ErrnoException | null)?.code ?? String(err);
  const why = sys === "ECONNREFUSED"
    ? "connection refused: is the server listening on that port?"
    : sys === "ENOTFOUND" || sys === "EAI_AGAIN"
      ? "no such host"
      : sys === "EHOSTUNREACH" || sys === "ENETUNREACH"
        ? "host unreachable: check the address and the routes"
        : sys;
  return new SoupError("ECONNECT", `cannot connect to ${host}:${port}: ${why}`, { cause: err });
}
