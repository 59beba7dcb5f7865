/** The catalogue of task types: every handler the worker can run and the API can enqueue. */
import { Registry, type ComputeFunctions } from "@/queue/registry";
import { backtest } from "./backtest";
import { busy } from "./busy";
import { fundBasicSync, fundNavSync } from "./crawl";
import { capitalFlowSync, financialStatementsSync, realtimeQuotesSync, topListSync } from "./feeds";
import { flaky } from "./flaky";
import { group } from "./group";
import { logFlood } from "./log-flood";
import { dbMaintenance, retentionCleanup } from "./maintenance";
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
  realtimeQuotesSync,
  financialStatementsSync,
  topListSync,
  capitalFlowSync,
  retentionCleanup,
  dbMaintenance,
  group,
  logFlood,
]);

/** Functions fast handlers run in the compute pool with ctx.compute(name, input). */
export const computeFunctions: ComputeFunctions = {
  signals: signalsChunk as ComputeFunctions[string],
  screen: screenChunk as ComputeFunctions[string],
};
