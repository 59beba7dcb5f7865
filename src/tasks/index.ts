/** The catalogue of task types: every handler the worker can run and the API can enqueue. */
import { Registry, type ComputeFunctions } from "@/queue/registry";
import { backtest } from "./backtest";
import { busy } from "./busy";
import { fundBasicSync, fundNavSync } from "./crawl";
import { flaky } from "./flaky";
import { group } from "./group";
import { retentionCleanup } from "./maintenance";
import { noop } from "./noop";
import { signalsBatch, signalsChunk } from "./signals";
import { sleep } from "./sleep";
import { screenChunk, strategyScreen } from "./strategy";

/** All registered task types. */
export const registry = new Registry([
  noop,
  sleep,
  busy,
  flaky,
  signalsBatch,
  strategyScreen,
  backtest,
  fundNavSync,
  fundBasicSync,
  retentionCleanup,
  group,
]);

/** Functions fast handlers run in the compute pool with ctx.compute(name, input). */
export const computeFunctions: ComputeFunctions = {
  signals: signalsChunk as ComputeFunctions[string],
  screen: screenChunk as ComputeFunctions[string],
};
