/** Why a run's AbortSignal fired; handed to handlers as `signal.reason`. "release": a claimed
 * task handed back before its handler started (shutdown, or it waited too long for a slot). */
export type AbortKind = "cancel" | "timeout" | "shutdown" | "lease_lost" | "release";

/** The reason object of an aborted run. */
export class RunAborted extends Error {
  override readonly name = "RunAborted";
  constructor(
    readonly kind: AbortKind,
    message: string,
  ) {
    super(message);
  }
}

/** The RunAborted behind an aborted signal, if any. */
export function abortKind(signal: AbortSignal): AbortKind | null {
  return signal.aborted && signal.reason instanceof RunAborted ? signal.reason.kind : signal.aborted ? "cancel" : null;
}
