/**
 * A batch rolled up, the one way every page does it: tasks per status, and progress as the mean
 * over its tasks with a finished one (succeeded, failed or cancelled) counted as 100.
 */
import { TASK_STATUSES } from "@/contracts/tasks";
import { isFinished } from "@/queue/states";

/** Counts per status (every status present, 0 when none) and the mean progress in percent (0 for no task). */
export function rollUp(tasks: readonly { status: string; progress: number }[]): { counts: Record<string, number>; progress: number } {
  const counts: Record<string, number> = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0]));
  let done = 0;
  for (const t of tasks) {
    counts[t.status] = (counts[t.status] ?? 0) + 1;
    done += isFinished(t.status) ? 100 : t.progress;
  }
  return { counts, progress: tasks.length ? done / tasks.length : 0 };
}
