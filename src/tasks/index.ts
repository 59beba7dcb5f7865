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
import { notify } from "./notify";
import { signalsBatch, signalsChunk } from "./signals";
import { sleep } from "./sleep";
import { screenChunk, strategyScreen } from "./strategy";
import { scriptTypes } from "./scripts";

/** The task types compiled into qtask. */
const builtIn = [
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
  notify,
];

/**
 * All registered task types: the built-in ones and the scripts the catalogue file declares
 * (read once, when this module loads; an invalid `scripts:` section throws, naming its line, so
 * neither the worker nor the app starts with it).
 */
export const registry = new Registry([...builtIn, ...scriptTypes(new Set(builtIn.map((d) => d.name)))]);

/** Functions fast handlers run in the compute pool with ctx.compute(name, input). */
export const computeFunctions: ComputeFunctions = {
  signals: signalsChunk as ComputeFunctions[string],
  screen: screenChunk as ComputeFunctions[string],
};
