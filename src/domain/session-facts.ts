/**
 * What the projection keeps besides the lifecycle and the pending requests: health, background tasks, a usage
 * limit, denied tools and how the provider exited. Each is a rule of the provider event and the states around it.
 */
import type { RuntimeEvent } from "../contracts/events.ts";
import { MAX_STDERR_TAIL_LENGTH } from "../contracts/limits.ts";
import { payloadAmount, payloadRecord, payloadText } from "./payload.ts";
import { clipTail } from "./provider-text.ts";
import { readProviderTime } from "./provider-time.ts";
import type { DeniedTools, ExitReport, Health, SessionState } from "./session.ts";
import { tasksAfter } from "./tasks.ts";

/**
 * Health after an accepted provider event (`session.health` only when it is not ignored). `session.health` is the provider's word (`since` is when activity
 * stopped: its receive time less `stalledForMs`, a duration, never the provider's clock). Any other event while
 * stalled is activity: the session is active again, as the service sees it.
 */
export function healthAfter(health: Health | null, event: RuntimeEvent, receivedAt: number): Health | null {
  if (event.type === "session.health") {
    const state = payloadText(event, "state");
    // A heartbeat that repeats the known state changes nothing: no snapshot write per heartbeat.
    if (state === health?.state && health.source === "provider") return health;
    if (state === "active") return { state, since: receivedAt, source: "provider" };
    if (state === "stalled") {
      const stalledFor = payloadAmount(event.payload, "stalledForMs") ?? 0;
      return { state, since: Math.max(0, receivedAt - stalledFor), source: "provider" };
    }
    return health;
  }
  if (health?.state === "stalled") return { state: "active", since: receivedAt, source: "service" };
  return health;
}

/**
 * `runtime.error` of class `usage_limit` (that was applied): when the limit resets, from `detail.resetsAt` (read as
 * `createdAt` is) or `detail.resetsAtEpochSeconds`; null when it says neither. Any other applied lifecycle change
 * ends the limit: the provider is working again.
 */
export function usageLimitResetsAt(event: RuntimeEvent): number | null {
  if (event.type !== "runtime.error" || payloadText(event, "class") !== "usage_limit") return null;
  const detail = payloadRecord(event, "detail");
  const resetsAt = typeof detail?.resetsAt === "string" ? readProviderTime(detail.resetsAt) : null;
  if (resetsAt !== null) return resetsAt;
  const epochSeconds = payloadAmount(detail, "resetsAtEpochSeconds");
  return epochSeconds === null || !Number.isInteger(epochSeconds) ? null : epochSeconds * 1000;
}

/** `tool.denied` counts for the turn and the session; a new turn starts its count at 0. */
export function deniedToolsAfter(denied: DeniedTools, event: RuntimeEvent, newTurn: boolean): DeniedTools {
  const turn = newTurn ? 0 : denied.turn;
  if (event.type === "tool.denied") return { turn: turn + 1, session: denied.session + 1 };
  return newTurn && denied.turn !== 0 ? { ...denied, turn: 0 } : denied;
}

/** A non-graceful `session.exited` (exitKind `error`) is kept with its stderr's tail; a graceful one or a restart clears it. */
export function exitAfter(exit: ExitReport | null, event: RuntimeEvent): ExitReport | null {
  if (event.type === "session.started" || event.type === "thread.started") return null;
  if (event.type !== "session.exited") return exit;
  if (payloadText(event, "exitKind") !== "error") return null;
  const stderr = payloadText(event, "stderrTail");
  return { exitKind: "error", stderrTail: stderr === null ? null : clipTail(stderr, MAX_STDERR_TAIL_LENGTH) };
}

/**
 * The facts after a provider event that was not ignored. `before` is the state the event found, `after` the state
 * its lifecycle and request rules made (its lifecycle moved if `transitioned`).
 */
export function factsAfter(
  before: SessionState,
  after: SessionState,
  event: RuntimeEvent,
  receivedAt: number,
  transitioned: boolean,
): SessionState {
  const newTurn = transitioned && after.activeTurnId !== null && after.activeTurnId !== before.activeTurnId;
  const stopped = transitioned && after.status === "stopped";
  const limit = usageLimitResetsAt(event);
  return {
    ...after,
    health: event.type === "session.health" ? healthAfter(before.health, event, receivedAt) : after.health,
    tasks: stopped ? [] : tasksAfter(before.tasks, event, receivedAt),
    limitResetsAt: limit ?? (transitioned ? null : before.limitResetsAt),
    deniedTools: deniedToolsAfter(before.deniedTools, event, newTurn),
    exit: exitAfter(before.exit, event),
  };
}
