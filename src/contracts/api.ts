/**
 * Every endpoint of the API, collected from the contracts modules that declare them (each is
 * declared once, beside its schemas). The OpenAPI document and the route tests read this list;
 * a new module of endpoints is added here once.
 */
import * as alerts from "./alerts";
import * as audit from "./audit";
import * as auth from "./auth";
import * as backfills from "./backfills";
import * as backtests from "./backtests";
import * as batches from "./batches";
import * as bulk from "./bulk";
import * as catalogue from "./catalogue";
import * as events from "./events";
import { endpointsOf, type Endpoint } from "./endpoint";
import * as funds from "./funds";
import * as overview from "./overview";
import * as queues from "./queues";
import * as research from "./research";
import * as runs from "./runs";
import * as schedules from "./schedules";
import * as signals from "./signals";
import * as strategies from "./strategies";
import * as sweeps from "./sweeps";
import * as system from "./system";
import * as tasks from "./tasks";
import * as trends from "./trends";
import * as users from "./users";

/** The reference's sections, in order. */
export const TAGS = ["system", "auth", "users", "tasks", "queues", "runs", "schedules", "alerts", "funds", "strategies", "backtests"] as const;

const METHOD_ORDER = ["GET", "POST", "PATCH", "DELETE"];

/** Every endpoint, by section, then path, then method. */
export const ENDPOINTS: readonly Endpoint[] = [
  system,
  events,
  auth,
  users,
  audit,
  tasks,
  bulk,
  trends,
  batches,
  overview,
  queues,
  catalogue,
  runs,
  schedules,
  alerts,
  backfills,
  funds,
  signals,
  strategies,
  backtests,
  sweeps,
  research,
]
  .flatMap((m) => endpointsOf(m))
  .sort(
    (a, b) =>
      TAGS.indexOf(a.tag as (typeof TAGS)[number]) - TAGS.indexOf(b.tag as (typeof TAGS)[number]) ||
      a.path.localeCompare(b.path) ||
      METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method),
  );
