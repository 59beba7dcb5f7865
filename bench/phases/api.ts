/**
 * The API under volume: the app (real launcher, web server only) on the seeded volume database
 * (volume.ts), signed in; per endpoint and repetition, `apiSamples` sequential requests after a
 * warm-up, timed from the request to the end of the body; p50 and p95 per repetition. The web
 * server's RSS (the launcher's `next start` process and its children) is sampled every 100 ms
 * while the requests run; its peak per repetition is the memory.web_peak figure.
 */
import { API_ENDPOINTS } from "../lib/report";
import { ensureVolume, refreshRecent } from "../lib/volume";
import { startApp, type App } from "../lib/app";
import { processTree, sampleRss } from "../lib/procs";
import { say } from "../lib/log";
import { fmt, percentile } from "../lib/stats";
import { withEngine, type Ctx } from "../lib/context";
import { rollUpDailyStats } from "../../src/queue/sql/dailyStats";
import { dayClock } from "../../src/schedule/dayClock";

type Key = (typeof API_ENDPOINTS)[number]["key"];

/** Checks a response body so that a fast error page is never timed as a fast answer. */
type Check = (json: Record<string, unknown>) => string | null;

const items = (j: Record<string, unknown>) => (Array.isArray(j.items) ? (j.items as unknown[]) : []);

export async function api(ctx: Ctx): Promise<void> {
  const vol = await ensureVolume(ctx.factory, ctx.v.volume);
  const l = vol.layout;
  if (vol.cached) say(`  [${ctx.provider}] volume database from the cache (${new URL(vol.url).pathname.split("/").pop()})`);
  else say(`  [${ctx.provider}] seeded the volume database in ${fmt(vol.seedSeconds ?? 0)} s (${fmt(vol.rowsPerSecond ?? 0)} rows/s)`);
  ctx.report.note(ctx.provider, "volume", {
    ...l.spec,
    cached: vol.cached,
    seed_seconds: vol.seedSeconds,
    seed_rows_per_second: vol.rowsPerSecond,
  });
  await refreshRecent(vol.url, l);

  const bigRun = l.bigRuns[Math.floor(l.bigRuns.length / 2)];
  const resultTask = l.resultTasks[Math.floor(l.resultTasks.length / 2)];
  const lastPage = Math.ceil(l.rowsPerResultTask / 100);
  // A cursor is the last item's id (src/server/paging.ts): this one is (T/2)/50 pages down the chain.
  const deepCursor = Math.floor(l.spec.tasks / 2);
  const afterSeq = l.linesPerBigRun - 1_000;
  const endpoints: Record<Key, { path: string; check: Check }> = {
    overview: { path: "/api/tasks/overview", check: (j) => (typeof j.counts === "object" ? null : "no counts") },
    list_first: { path: "/api/tasks?limit=50", check: (j) => (items(j).length === 50 ? null : `${items(j).length} items`) },
    list_deep: { path: `/api/tasks?limit=50&cursor=${deepCursor}`, check: (j) => (items(j).length === 50 ? null : `${items(j).length} items`) },
    list_filtered: {
      path: "/api/tasks?limit=50&status=failed&type=backtest",
      check: (j) => (items(j).length === 50 ? null : `${items(j).length} items`),
    },
    // The 最近完成 tab: three statuses, newest first.
    list_finished: {
      path: "/api/tasks?limit=50&status=succeeded,failed,cancelled",
      check: (j) => (items(j).length === 50 ? null : `${items(j).length} items`),
    },
    // 执行历史 filtered by the task's type and the run's status (under one run in a hundred).
    runs_filtered: {
      path: "/api/tasks/runs?limit=50&type=fund_nav_sync&status=failed",
      check: (j) => (items(j).length === 50 ? null : `${items(j).length} items`),
    },
    // A schedule's page polls its runs; the volume has no scheduled task, the case without an index to stop early.
    schedule_runs: { path: "/api/tasks/runs?limit=10&schedule_id=1", check: (j) => (Array.isArray(j.items) ? null : "no items") },
    logs_deep: {
      path: `/api/tasks/runs/${bigRun}/logs?after_seq=${afterSeq}&limit=200`,
      check: (j) => (items(j).length === 200 ? null : `${items(j).length} lines`),
    },
    signals_deep: {
      path: `/api/funds/signals/batch_async/${resultTask}?page=${lastPage}&page_size=100`,
      check: (j) => (items(j).length === 100 && j.total === l.rowsPerResultTask ? null : `${items(j).length} items of ${String(j.total)}`),
    },
    results_deep: {
      path: `/api/tasks/${resultTask}/results?page=${lastPage}&page_size=100`,
      check: (j) => (items(j).length === 100 ? null : `${items(j).length} items`),
    },
    // A tag filter (inside each row's array of signals) and a sort over the same task's 10,000 rows.
    results_filtered: {
      path: `/api/tasks/${resultTask}/results?page=1&page_size=100&filter.signals=buy&sort=fund_code&order=desc`,
      check: (j) => (Array.isArray(j.items) ? null : "no items"),
    },
    // Read from daily_stats (rolled up before the app starts, as a worker would).
    trends_fleet: { path: "/api/tasks/trends?days=90", check: (j) => (Array.isArray(j.items) && j.items.length === 90 ? null : "no days") },
  };
  ctx.report.note(ctx.provider, "api_paths", Object.fromEntries(Object.entries(endpoints).map(([k, e]) => [k, e.path])));

  // The daily roll-up is a worker's job (the app here is web only): a first round over every
  // run of the volume (refreshRecent reset it), timed, so the trends requests below read.
  const rolled = await withEngine(vol.url, async (conn) => {
    const started = performance.now();
    const r = await rollUpDailyStats(conn, dayClock());
    return { ms: performance.now() - started, runs: r.runs };
  });
  say(`  [${ctx.provider}] daily roll-up of the volume's ${fmt(rolled.runs)} runs (first round): ${fmt(rolled.ms)} ms`);
  ctx.report.note(ctx.provider, "api_trends_first_rollup", rolled);

  say(`  [${ctx.provider}] starting the app (launcher, web only) on the volume database…`);
  const app = await startApp(vol.url);
  ctx.report.note(ctx.provider, "api_app_built_next", app.built);
  try {
    const get = async (key: Key): Promise<number> => {
      const e = endpoints[key];
      const r = await app.request("GET", e.path);
      if (r.status !== 200) throw new Error(`GET ${e.path}: ${r.status} ${r.text.slice(0, 300)}`);
      const problem = e.check(JSON.parse(r.text) as Record<string, unknown>);
      if (problem) throw new Error(`GET ${e.path}: unexpected answer (${problem})`);
      return r.ms;
    };
    await followCursor(app, deepCursor);
    for (const e of API_ENDPOINTS) for (let i = 0; i < 3; i++) await get(e.key); // warm-up
    // A baseline for the figures below: the framework and authentication, no query of the tasks.
    const me: number[] = [];
    for (let i = 0; i < 20; i++) me.push((await app.request("GET", "/api/auth/me")).ms);
    ctx.report.note(ctx.provider, "api_baseline_auth_me_p50_ms", percentile(me, 50));
    const perRep: Record<Key, { p50: number; p95: number; max: number }[]> = Object.fromEntries(API_ENDPOINTS.map((e) => [e.key, []])) as never;
    const webPeaks: number[] = [];
    for (let rep = 0; rep < ctx.reps; rep++) {
      const rss = sampleRss(() => processTree(app.webPid), 100);
      try {
        for (const e of API_ENDPOINTS) {
          const times: number[] = [];
          for (let i = 0; i < ctx.v.apiSamples; i++) times.push(await get(e.key));
          perRep[e.key].push({ p50: percentile(times, 50), p95: percentile(times, 95), max: Math.max(...times) });
        }
      } finally {
        webPeaks.push(rss.stop().peakMb);
      }
      say(
        `  [${ctx.provider}] API rep ${rep + 1}: ` +
          API_ENDPOINTS.map((e) => `${e.key} p95 ${fmt(perRep[e.key][rep].p95)}`).join(", ") +
          ` ms; web RSS peak ${fmt(webPeaks[rep])} MB`,
      );
    }
    for (const e of API_ENDPOINTS) {
      const reps = perRep[e.key];
      ctx.report.record(
        ctx.provider,
        `api.${e.key}.p50`,
        reps.map((r) => r.p50),
        { path: endpoints[e.key].path, samples: ctx.v.apiSamples },
      );
      ctx.report.record(
        ctx.provider,
        `api.${e.key}.p95`,
        reps.map((r) => r.p95),
        { path: endpoints[e.key].path, samples: ctx.v.apiSamples, max_ms: reps.map((r) => r.max) },
      );
    }
    ctx.report.record(ctx.provider, "memory.web_peak", webPeaks, { source: "summed VmRSS of next start and its children, every 100 ms" });
  } finally {
    await app.stop();
  }
}

/** Checks that the cursor chain is what the deep cursor imitates: next_cursor is the last item's id. */
async function followCursor(app: App, deepCursor: number): Promise<void> {
  let cursor = String(deepCursor);
  for (let i = 0; i < 3; i++) {
    const r = await app.request("GET", `/api/tasks?limit=50&cursor=${cursor}`);
    const j = JSON.parse(r.text) as { items: { id: string }[]; next_cursor: string | null };
    if (r.status !== 200 || !j.next_cursor || j.next_cursor !== j.items[j.items.length - 1]?.id) {
      throw new Error(`the task list's cursor is not the last item's id any more (${r.status} ${r.text.slice(0, 200)}): update bench/phases/api.ts`);
    }
    cursor = j.next_cursor;
  }
}
