/** Background tasks: started, kept alive and ended by `task.*` events; a running one keeps the session from idling. */
import type { RuntimeEvent } from "../contracts/events.ts";
import { payloadFlag, payloadText } from "./payload.ts";
import type { RunningTask } from "./session.ts";

/** Bounds the snapshot: a task past the cap is not tracked (the oldest are kept). */
export const MAX_TASKS = 100;

/**
 * A known task's last sign of life moves at most this often: expiry is measured in hours, and a `task.progress`
 * stream must not rewrite the snapshot at every event (the cost budget of an event kind).
 */
export const TASK_REFRESH_MS = 60_000;

/** `task.updated` statuses that end a task; `pending`, `running` and `paused` keep it. */
const ENDED_STATUSES: ReadonlySet<string> = new Set(["completed", "failed", "killed"]);

/**
 * The running tasks after a provider event. `task.started`, `task.progress` and a `task.updated` that does not end
 * it start a task not yet known (a lost `task.started` must not hide a running task) and refresh a known one;
 * `task.completed` and a `task.updated` to `completed`, `failed` or `killed` end it. Without a `taskId`, or of any
 * other type: unchanged (the same array).
 */
export function tasksAfter(
  tasks: readonly RunningTask[],
  event: RuntimeEvent,
  receivedAt: number,
): readonly RunningTask[] {
  if (!event.type.startsWith("task.")) return tasks;
  const taskId = payloadText(event, "taskId");
  if (taskId === null) return tasks;
  switch (event.type) {
    case "task.completed":
      return withoutTask(tasks, taskId);
    case "task.updated": {
      const status = payloadText(event, "status");
      if (status !== null && ENDED_STATUSES.has(status)) return withoutTask(tasks, taskId);
      return touchTask(tasks, taskId, receivedAt, payloadFlag(event, "isBackgrounded"));
    }
    case "task.started":
    case "task.progress":
      return touchTask(tasks, taskId, receivedAt, null);
    default:
      return tasks;
  }
}

export function withoutTask(tasks: readonly RunningTask[], taskId: string): readonly RunningTask[] {
  return tasks.some((task) => task.taskId === taskId) ? tasks.filter((task) => task.taskId !== taskId) : tasks;
}

function touchTask(
  tasks: readonly RunningTask[],
  taskId: string,
  receivedAt: number,
  backgrounded: boolean | null,
): readonly RunningTask[] {
  const known = tasks.find((task) => task.taskId === taskId);
  if (known === undefined) {
    if (tasks.length >= MAX_TASKS) return tasks;
    return [...tasks, { taskId, startedAt: receivedAt, lastEventAt: receivedAt, backgrounded: backgrounded ?? false }];
  }
  const flag = backgrounded ?? known.backgrounded;
  if (flag === known.backgrounded && receivedAt - known.lastEventAt < TASK_REFRESH_MS) return tasks;
  const touched = { ...known, lastEventAt: receivedAt, backgrounded: flag };
  return tasks.map((task) => (task === known ? touched : task));
}

/** The task whose silence ends first, or null: the one the next `expire-task` deadline is for. */
export function stalestTask(tasks: readonly RunningTask[]): RunningTask | null {
  let stalest: RunningTask | null = null;
  for (const task of tasks) if (stalest === null || task.lastEventAt < stalest.lastEventAt) stalest = task;
  return stalest;
}
