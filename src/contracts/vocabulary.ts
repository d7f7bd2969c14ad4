/** The enumerations the wire and the domain share: each is written once, here, and imported by both. */

export const SESSION_STATUSES = ["idle", "starting", "running", "ready", "interrupted", "stopped", "error"] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** What ingesting an event did; `duplicate` is an outcome of the request, never of a stored entry. */
export const OUTCOMES = ["applied", "recorded", "ignored"] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const RESULT_OUTCOMES = [...OUTCOMES, "duplicate"] as const;

/**
 * stale-sequence: `sessionSequence` below the highest accepted since the provider session started.
 * another-turn-active: `turn.started` while a different turn is active.
 * not-the-active-turn: a completion, abort, error or request naming a turn other than the active one.
 * turnless-completion: a `turn.completed` without `turnId` cannot say which turn it closes (Claude's resume handshake).
 * no-turn-to-settle: a completion or abort while the session has no turn and is not busy.
 * too-many-pending-requests: an approval or question opened while 100 are already pending; the oldest are kept.
 */
export const IGNORE_REASONS = [
  "stale-sequence",
  "another-turn-active",
  "not-the-active-turn",
  "turnless-completion",
  "no-turn-to-settle",
  "too-many-pending-requests",
] as const;
export type IgnoreReason = (typeof IGNORE_REASONS)[number];

/** `provider` entries came from an orchestrator; `service` entries were written by this service (reaper, watchdog). */
export const EVENT_ORIGINS = ["provider", "service"] as const;
export type EventOrigin = (typeof EVENT_ORIGINS)[number];

/**
 * What the session's next deadline will do when it passes. 0.5 adds `stall` (a busy session silent for
 * STALL_AFTER_SECONDS is marked stalled), `expire-task` (a background task silent for STALE_TASK_TIMEOUT_SECONDS is
 * dropped), `request-timeout` (a request unanswered for PENDING_REQUEST_TIMEOUT_SECONDS expires its turn) and
 * `limit-reset` (a provider usage limit's reset time has passed).
 */
export const DEADLINE_ACTIONS = [
  "expire-turn",
  "stall",
  "expire-task",
  "request-timeout",
  "limit-reset",
  "reap",
  "purge",
] as const;
export type DeadlineAction = (typeof DEADLINE_ACTIONS)[number];

/** `stalled`: no event for a while; said by the provider (`session.health`) or decided by the service (STALL_AFTER_SECONDS). */
export const HEALTH_STATES = ["active", "stalled"] as const;
export type HealthState = (typeof HEALTH_STATES)[number];
export const HEALTH_SOURCES = ["provider", "service"] as const;
export type HealthSource = (typeof HEALTH_SOURCES)[number];

/** Why a person is needed: an approval or a question is pending, or the session stalled. */
export const ATTENTION_REASONS = ["pending-request", "stall"] as const;
export type AttentionReason = (typeof ATTENTION_REASONS)[number];

export const REAP_REASONS = ["idle"] as const;
export type ReapReason = (typeof REAP_REASONS)[number];

export const DELIVERY_STATES = ["pending", "delivered", "failed"] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** Read-token lifetimes in seconds: here, without zod, so the dashboard's bundle can ask for the longest. */
export const READ_TOKEN_DEFAULT_TTL_SECONDS = 900;
export const READ_TOKEN_MAX_TTL_SECONDS = 86_400;

/** What a tenant's usage rows can be grouped by (`GET /v1/usage?groupBy=`). */
export const USAGE_DIMENSIONS = ["day", "provider", "model", "thread"] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];
