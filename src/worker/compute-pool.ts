/**
 * The worker's pool of compute threads (piscina), sized by JOB_NUM. Cancel and timeout
 * abort the task, which terminates its thread: a busy loop cannot ignore that.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";

const here = path.dirname(fileURLToPath(import.meta.url));

export class ComputePool {
  private readonly pool: Piscina;

  constructor(threads: number, registryModule: string) {
    this.pool = new Piscina({
      filename: path.join(here, "compute-thread-entry.mjs"),
      workerData: { registryModule },
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: 60_000,
    });
  }

  /** Runs compute type `type` on `input` in a thread; rejects when `signal` aborts. */
  async run(type: string, input: unknown, signal: AbortSignal, onProgress: (percent: number, message?: string) => void): Promise<unknown> {
    const { port1, port2 } = new MessageChannel();
    port1.on("message", (m: { percent: number; message?: string }) => onProgress(m.percent, m.message));
    try {
      return await this.pool.run({ type, input, port: port2 }, { signal, transferList: [port2] });
    } finally {
      port1.close();
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
