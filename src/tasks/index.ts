/** The catalogue of task types: every handler the worker can run and the API can enqueue. */
import { Registry, type ComputeFunctions } from "@/queue/registry";
import { backtest } from "./backtest";
import { bulkAction } from "./bulk";
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
import { scriptView } from "./scripts/spec";
import { BUILT_IN_VIEWS } from "./views";
import type { ResultView } from "@/contracts/resultView";

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
  bulkAction,
];

/**
 * All registered task types: the built-in ones and the scripts the catalogue file declares
 * (read once, when this module loads; an invalid `scripts:` section throws, naming its line, so
 * neither the worker nor the app starts with it).
 */
const scripts = scriptTypes(new Set(builtIn.map((d) => d.name)));
export const registry = new Registry([...builtIn, ...scripts]);

const scriptViews = new Map(scripts.map((d) => [d.name, scriptView(d.script)]));

/**
 * How a type's result rows and result read (typed columns and summary fields, see
 * src/contracts/resultView.ts), or undefined: shown generically. The engine does not read it.
 */
export function resultViewOf(type: string): ResultView | undefined {
  return BUILT_IN_VIEWS[type] ?? scriptViews.get(type);
}

/** Functions fast handlers run in the compute pool with ctx.compute(name, input). */
export const computeFunctions: ComputeFunctions = {
  signals: signalsChunk as ComputeFunctions[string],
  screen: screenChunk as ComputeFunctions[string],
};
