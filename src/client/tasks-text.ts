/** Background tasks in words: "2 background tasks" (empty when none runs); the CLI and the dashboard print it. */
import type { TasksView } from "../contracts/replies.ts";

export function tasksText({ tasks }: { tasks: TasksView }): string {
  return tasks.running === 0 ? "" : `${tasks.running} background task${tasks.running === 1 ? "" : "s"}`;
}
