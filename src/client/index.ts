/** `provider-sessions/client`: a typed client of the service and a forwarder for an orchestrator's hot path. */
export type { DirectoryMessage, DirectoryPage, SessionSummary } from "../contracts/directory.ts";
export type { RuntimeEvent } from "../contracts/events.ts";
export type { FieldError, Problem } from "../contracts/problem.ts";
export type { ReadToken } from "../contracts/read-tokens.ts";
export type {
  EventPage,
  EventResult,
  IngestReply,
  LogEntryView,
  SessionView,
  UsageViewWire as UsageView,
} from "../contracts/replies.ts";
export type { StreamMessage } from "../contracts/stream.ts";
export type { TurnsReply, TurnView, UsageFigures, UsageReply, UsageRow } from "../contracts/usage.ts";
export type { SessionStatus } from "../contracts/vocabulary.ts";
export {
  type Client,
  type ClientOptions,
  createClient,
  type EventsOptions,
  type ListFilters,
  type ReadTokenOptions,
  type Signalled,
} from "./client.ts";
export { createForwarder, type Forwarder, type ForwarderCounters, type ForwarderOptions } from "./forwarder.ts";
export { pendingText } from "./pending-text.ts";
export { ProblemError } from "./problem-error.ts";
export { DEFAULT_RETRY, type RetryPolicy, retryDelay } from "./retry.ts";
export type { DirectoryOptions, LiveOptions, ResumeAfter, StreamOptions } from "./streams.ts";
export { tasksText } from "./tasks-text.ts";
export type { Fetch } from "./transport.ts";
export { contextText, costText, tokenCount, tokensText, usdText } from "./usage-text.ts";
