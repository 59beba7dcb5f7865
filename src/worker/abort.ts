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

/**
 * A run's abort switch. Its AbortSignal is created only when something asks for it (a handler
 * reading ctx.signal, a compute task): on Node 20 creating a signal costs microseconds and
 * listening on one several more — with their garbage, a quarter of the worker's CPU per task
 * in a drain of no-op tasks, which never look at it. The worker itself reads `aborted` and
 * `reason` and listens with onAbort(), which cost nothing until the run is aborted.
 */
export class RunAbort {
  aborted = false;
  reason: unknown = undefined;
  private controller: AbortController | null = null;
  private listeners: (() => void)[] = [];

  /** The run's AbortSignal (already aborted, with the same reason, if the run was). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  /** Aborts the run once: the signal's listeners first (the handler's), then onAbort()'s. */
  abort(reason: RunAborted): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = [];
    for (const fn of listeners) fn();
  }

  /** Throws the abort reason if the run was aborted (as AbortSignal.throwIfAborted does). */
  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** Calls `fn` once when the run is aborted (at once if it already was); returns its removal. */
  onAbort(fn: () => void): () => void {
    if (this.aborted) {
      fn();
      return () => undefined;
    }
    this.listeners.push(fn);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== fn);
    };
  }
}

/** The kind of abort of an aborted run (or signal), if any; "cancel" for a reason that is not a RunAborted. */
export function abortKind(run: { aborted: boolean; reason: unknown }): AbortKind | null {
  return run.aborted && run.reason instanceof RunAborted ? run.reason.kind : run.aborted ? "cancel" : null;
}
