/**
 * Runs compute work in a pool thread: either a compute-mode task type's `compute`, or a named
 * compute function (`fn:<name>`) that a fast handler hands to the pool with ctx.compute()
 * (to split one task's work over several threads). The thread loads the registry module
 * named in workerData, never opens a database connection, and reports progress over a
 * MessagePort.
 */
import { workerData, type MessagePort } from "node:worker_threads";
import type { ComputeFunctions, Registry } from "@/queue/registry";

const { registryModule } = workerData as { registryModule: string };
const mod = (await import(registryModule)) as { registry: Registry; computeFunctions?: ComputeFunctions };

/** Piscina task: { type, input, port } -> the output. */
export default async function runCompute({ type, input, port }: { type: string; input: unknown; port: MessagePort }): Promise<unknown> {
  const report = (percent: number, message?: string) => port.postMessage({ percent, message });
  try {
    if (type.startsWith("fn:")) {
      const fn = mod.computeFunctions?.[type.slice(3)];
      if (!fn) throw new Error(`no compute function ${type.slice(3)} in ${registryModule}`);
      return await fn(input as never, report);
    }
    const def = mod.registry.get(type);
    if (!def || def.mode !== "compute") throw new Error(`no compute task type ${type} in ${registryModule}`);
    return await def.compute(input as never, report);
  } finally {
    port.close();
  }
}
