/**
 * The schedule catalogue's format: `config/tasks.yaml` and the YAML of export/import. One format:
 *
 *   version: 1
 *   schedules:            # entries are POST /api/schedules bodies (the same zod schema)
 *     - name: daily_nav_sync
 *       task_type: fund_nav_sync
 *       kind: after_close
 *       after_close_minutes: 30
 *   groups:               # a group is a schedule of a `group` task: its tasks in sequence or parallel
 *     - name: daily_pipeline
 *       mode: sequence
 *       tasks: [{ type: fund_nav_sync, payload: { source: http } }, { type: signals_batch, payload: { all: true } }]
 *       kind: cron
 *       cron: "0 17 * * 1-5"
 *
 * Parsing checks everything an API create would (timing, task type, payload schemas, group
 * children, unique names) and reports each problem with its line, so an invalid file is
 * rejected whole. Comparing a parsed file with the database and applying it: cataloguePlan.ts.
 */
import { createHash } from "node:crypto";
import { isMap, isScalar, LineCounter, parseDocument, stringify, type Node } from "yaml";
import { z } from "zod";
import type { Schedule } from "@/generated/sqlite/client";
import { AlertsSection, parseRuleParams } from "@/contracts/alerts";
import { QueuesSection } from "@/contracts/queues";
import { CreateScheduleBody, type OverlapPolicy } from "@/contracts/schedules";
import { InvalidTaskError, prepareTask } from "@/queue/enqueue";
import type { Registry } from "@/queue/registry";
import { timingOf, validateTiming } from "@/schedule/timing";
import { columnsOf, defaultOverlap } from "./rules";

/** A schedule as the catalogue declares it: exactly a create body. */
export type ScheduleSpec = CreateScheduleBody;

const GroupEntry = CreateScheduleBody.omit({ task_type: true, payload: true }).extend({
  mode: z.enum(["sequence", "parallel"]),
  tasks: z.array(z.record(z.string(), z.unknown())).min(1).max(200),
});

const CatalogueDocument = z
  .object({
    version: z.literal(1).default(1),
    schedules: z.array(CreateScheduleBody).max(1000).default([]),
    groups: z.array(GroupEntry).max(1000).default([]),
    // Script types (src/tasks/scripts): read from the server's file by the task catalogue, never imported.
    scripts: z.unknown().optional(),
    // Alert channels and rules (admins; see src/server/alertCatalogue.ts).
    alerts: AlertsSection.optional(),
    // Cluster-wide queue limits (see src/server/queueCatalogue.ts).
    queues: QueuesSection.optional(),
  })
  .strict();

/** One thing wrong with a catalogue file, with where it is. */
export interface CatalogueProblem {
  line: number | null;
  column: number | null;
  path: string;
  message: string;
}

/** A catalogue file that cannot be used; `problems` lists everything found (first one in the message). */
export class CatalogueError extends Error {
  constructor(readonly problems: CatalogueProblem[]) {
    const p = problems[0];
    super(
      `${p.line !== null ? `line ${p.line}: ` : ""}${p.path ? `${p.path}: ` : ""}${p.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}`,
    );
  }
}

/** Largest catalogue accepted (import bodies and the file). */
export const MAX_CATALOGUE_BYTES = 1024 * 1024;

/**
 * Parses and checks a catalogue; throws CatalogueError with every problem and its line. A
 * `scripts:` section is read by the task catalogue from the server's own file (`from: "file"`);
 * anywhere else (`from: "import"`) it is refused: no API call may declare a command line.
 */
export function parseCatalogue(text: string, registry: Registry, from: "file" | "import" = "import"): ScheduleSpec[] {
  return parseCatalogueDocument(text, registry, from).specs;
}

/** parseCatalogue, with the `alerts:` and `queues:` sections too (null when the document has none). */
export function parseCatalogueDocument(
  text: string,
  registry: Registry,
  from: "file" | "import" = "import",
): { specs: ScheduleSpec[]; alerts: AlertsSection | null; queues: QueuesSection | null } {
  if (Buffer.byteLength(text) > MAX_CATALOGUE_BYTES)
    throw new CatalogueError([problem(null, "", `the file is larger than ${MAX_CATALOGUE_BYTES} bytes`)]);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new CatalogueError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { line: pos.line, column: pos.col, path: "", message: e.message.split("\n")[0] };
      }),
    );
  }
  const where = (p: (string | number)[]): { line: number | null; column: number | null } => {
    // The deepest node that exists on the path (a missing key is reported at its parent).
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n), true) as Node | undefined;
      if (node && (isMap(node) || isScalar(node) || "range" in node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    return { line: null, column: null };
  };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    throw new CatalogueError([problem(null, "", (err as Error).message)]);
  }
  const parsed = CatalogueDocument.safeParse(raw);
  if (!parsed.success) {
    throw new CatalogueError(
      parsed.error.issues.map((i) => ({ ...where(i.path as (string | number)[]), path: i.path.join("."), message: i.message })),
    );
  }
  if (parsed.data.scripts !== undefined && from === "import")
    throw new CatalogueError([
      {
        ...where(["scripts"]),
        path: "scripts",
        message: "script types are declared only in the server's catalogue file (config/tasks.yaml), never imported",
      },
    ]);
  const problems: CatalogueProblem[] = [];
  const specs: { spec: ScheduleSpec; at: (string | number)[] }[] = [
    ...parsed.data.schedules.map((spec, i) => ({ spec, at: ["schedules", i] })),
    ...parsed.data.groups.map(({ mode, tasks, ...rest }, i) => ({
      spec: { ...rest, task_type: "group", payload: { mode, tasks } } as ScheduleSpec,
      at: ["groups", i],
    })),
  ];
  const seen = new Set<string>();
  for (const { spec, at } of specs) {
    const report = (sub: (string | number)[], message: string) =>
      problems.push({ ...where([...at, ...sub]), path: [...at, ...sub].join("."), message });
    if (seen.has(spec.name)) report(["name"], `the name ${spec.name} is used twice`);
    seen.add(spec.name);
    try {
      validateTiming(timingOf({ ...columnsOf(spec), createdAt: new Date() }));
    } catch (err) {
      report([spec.kind === "cron" ? "cron" : "kind"], (err as Error).message);
    }
    const isGroup = at[0] === "groups";
    // What to check, where its payload sits in the entry, and where an unknown type is reported.
    const checks: { type: unknown; payload: unknown; payloadAt: (string | number)[]; typeAt: (string | number)[] }[] = isGroup
      ? [
          // A group entry holds the group payload's fields (mode, tasks) itself.
          { type: "group", payload: spec.payload, payloadAt: [], typeAt: [] },
          ...(spec.payload.tasks as { type?: unknown; payload?: unknown }[]).map((c, i) => ({
            type: c.type,
            payload: c.payload ?? {},
            payloadAt: ["tasks", i, "payload"],
            typeAt: ["tasks", i, "type"],
          })),
        ]
      : [{ type: spec.task_type, payload: spec.payload, payloadAt: ["payload"], typeAt: ["task_type"] }];
    for (const c of checks) {
      try {
        prepareTask(registry, { type: String(c.type), payload: c.payload });
      } catch (err) {
        if (!(err instanceof InvalidTaskError)) throw err;
        const issues = (err.details as { issues?: { path: string; message: string }[] } | undefined)?.issues;
        if (issues?.length) for (const i of issues) report([...c.payloadAt, ...i.path.split(".").filter(Boolean)], `${err.message}: ${i.message}`);
        else report(c.typeAt, err.message);
      }
    }
  }
  const alerts = parsed.data.alerts ?? null;
  if (alerts) {
    const names = { channels: new Set<string>(), rules: new Set<string>() };
    for (const section of ["channels", "rules"] as const)
      alerts[section].forEach((e, i) => {
        if (names[section].has(e.name)) problems.push({ ...where(["alerts", section, i, "name"]), path: `alerts.${section}.${i}.name`, message: `the name ${e.name} is used twice` });
        names[section].add(e.name);
      });
    alerts.rules.forEach((r, i) => {
      const p = parseRuleParams(r.kind, r.params);
      if (!p.ok) for (const issue of p.issues) problems.push({ ...where(["alerts", "rules", i, "params"]), path: `alerts.rules.${i}.params`, message: issue });
    });
  }
  if (problems.length > 0) throw new CatalogueError(problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  return { specs: specs.map((s) => s.spec), alerts, queues: parsed.data.queues ?? null };
}

function problem(line: number | null, p: string, message: string): CatalogueProblem {
  return { line, column: null, path: p, message };
}

/** A stored schedule as a catalogue entry (what export writes). */
export function specOf(s: Schedule): ScheduleSpec {
  return CreateScheduleBody.parse({
    name: s.name,
    ...(s.description ? { description: s.description } : {}),
    task_type: s.taskType,
    payload: JSON.parse(s.payload),
    kind: s.kind,
    ...(s.cron ? { cron: s.cron } : {}),
    timezone: s.timezone,
    ...(s.intervalSeconds !== null ? { interval_seconds: s.intervalSeconds } : {}),
    ...(s.runAt ? { run_at: s.runAt.toISOString() } : {}),
    trading_days_only: s.tradingDaysOnly,
    ...(s.afterCloseMinutes !== null ? { after_close_minutes: s.afterCloseMinutes } : {}),
    priority: s.priority,
    ...(s.timeoutMs !== null ? { timeout_ms: s.timeoutMs } : {}),
    ...(s.maxAttempts !== null ? { max_attempts: s.maxAttempts } : {}),
    enabled: s.enabled,
    misfire_policy: s.misfirePolicy,
    // Written only where it differs from what a new schedule of its kind gets.
    ...(s.overlapPolicy !== defaultOverlap(s.kind) ? { overlap_policy: s.overlapPolicy as OverlapPolicy } : {}),
  });
}

const DEFAULTS: Partial<Record<keyof ScheduleSpec, unknown>> = {
  timezone: "Asia/Shanghai",
  trading_days_only: false,
  priority: 500,
  enabled: true,
  misfire_policy: "run_once",
};

/** Writes schedules as a catalogue document (defaults left out; group schedules under `groups`). */
export function serializeCatalogue(
  specs: ScheduleSpec[],
  header = "qtask schedules (the format of config/tasks.yaml)",
  alerts?: AlertsSection,
  queues?: QueuesSection,
): string {
  const compact = (s: ScheduleSpec) =>
    Object.fromEntries(
      Object.entries(s).filter(
        ([k, v]) => v !== undefined && v !== null && DEFAULTS[k as keyof ScheduleSpec] !== v && !(k === "payload" && isEmpty(v)),
      ),
    );
  const schedules = specs.filter((s) => !isGroupSpec(s)).map(compact);
  const groups = specs.filter(isGroupSpec).map((s) => {
    const { task_type: _t, payload, name, description, ...rest } = compact(s) as ScheduleSpec;
    const { mode, tasks } = payload as { mode: string; tasks: unknown[] };
    return { name, ...(description ? { description } : {}), mode, tasks, ...rest };
  });
  const body = stringify({ version: 1, ...(queues ? { queues } : {}), schedules, groups, ...(alerts ? { alerts } : {}) }, { lineWidth: 0 });
  return `# ${header}\n${body}`;
}

function isGroupSpec(s: ScheduleSpec): boolean {
  const p = s.payload as { mode?: unknown; tasks?: unknown; name?: unknown };
  // A group payload with extra fields (its own name) cannot be written as a `groups` entry.
  return s.task_type === "group" && Array.isArray(p.tasks) && typeof p.mode === "string" && Object.keys(p).length === 2;
}

function isEmpty(v: unknown): boolean {
  return typeof v === "object" && v !== null && Object.keys(v).length === 0;
}

/** Canonical JSON (sorted keys), for comparing and hashing. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/** The fingerprint of a catalogue entry (a schedule, a queue's limits): a start re-applies an entry only when it changes. */
export function specHash(spec: unknown): string {
  return createHash("sha256").update(canonical(spec)).digest("hex").slice(0, 32);
}
