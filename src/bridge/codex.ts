/**
 * The Codex app-server bridge: one line of `codex app-server` stdout in, its provider runtime events out. Every field
 * derives from the lines read so far, never from a clock, so replaying a transcript yields the same events byte for
 * byte and the service stores it once.
 */
import type { RuntimeEvent } from "../contracts/events.ts";
import {
  type Draft,
  mapNotification,
  mapRequest,
  type RequestKind,
  requestKind,
  resolution,
  tokenUsageDraft,
} from "./codex-methods.ts";
import {
  contentDigest,
  edgeEventId,
  isoTime,
  placeEventId,
  type RunIdentity,
  record,
  storable,
  text,
  UNKNOWN_TIME,
  validId,
} from "./common.ts";
import { type CodexMessage, isJsonRpcId, type JsonRpcId, type Params, readLine } from "./json-rpc.ts";

export interface CodexBridgeOptions {
  /** The service's session the events belong to (not Codex's own thread id, which `thread.started` carries). */
  threadId: string;
  /**
   * Wrap mode: ids come from the run and each line's place in stdout (`translate`'s `ordinal`), and times start at
   * the run's start. Without it (stdout mode), ids derive from each message's content.
   */
  run?: RunIdentity;
}

/** A line that is not a JSON-RPC message is a problem, not an exception: the caller reports it and reads on. */
export type CodexTranslation = { ok: true; events: RuntimeEvent[] } | { ok: false; problem: string };

export interface CodexBridge {
  /**
   * Lines must be given in stdout order; calls may overlap (they are translated one at a time, in call order). In
   * wrap mode `ordinal` is the line's place in the agent's stdout (1 for the first line).
   */
  translate(line: string, ordinal?: number): Promise<CodexTranslation>;
  /**
   * The app-server's stdout has ended, so its process has: a `session.exited`, once, if any message was read.
   * Its eventId derives from what was read, so replaying the same transcript stores it once.
   */
  end(): Promise<RuntimeEvent[]>;
}

/** A notification or a server request: what becomes an event. */
type Inbound = Exclude<CodexMessage, { kind: "response" }>;

interface OpenRequest {
  requestId: string | null;
  turnId: string | null;
  kind: RequestKind;
}

interface BridgeState {
  /** How many times each message (by digest) has been seen: Codex repeats byte-identical lines. */
  occurrences: Map<string, number>;
  lastTime: string;
  /** `initialize` responses seen: each one starts an app-server process whose request ids restart. */
  processes: number;
  /** The current process's server requests awaiting `serverRequest/resolved`, by raw JSON-RPC id. */
  openRequests: Map<string, OpenRequest>;
  /** Notifications and server requests read so far. */
  messages: number;
  ended: boolean;
  /** The model of the thread as its start (or resume, or fork) answered: Codex's usage reports name none. */
  model: string | null;
}

export function createCodexBridge(options: CodexBridgeOptions): CodexBridge {
  const state: BridgeState = {
    occurrences: new Map(),
    lastTime: options.run?.startedAt ?? UNKNOWN_TIME,
    processes: 0,
    openRequests: new Map(),
    messages: 0,
    ended: false,
    model: null,
  };
  let previous: Promise<unknown> = Promise.resolve();
  return {
    translate(line, ordinal = 0) {
      const translation = previous.then(() => translateLine(options, state, line, ordinal));
      previous = translation.catch(() => undefined);
      return translation;
    },
    end() {
      const ending = previous.then(() => endOfOutput(options, state));
      previous = ending.catch(() => undefined);
      return ending;
    },
  };
}

async function translateLine(
  { threadId, run }: CodexBridgeOptions,
  state: BridgeState,
  line: string,
  ordinal: number,
): Promise<CodexTranslation> {
  const reading = readLine(line);
  if (!reading.ok) return reading;
  const message = reading.message;
  if (message === null) return { ok: true, events: [] };
  // Responses answer the client's own requests: not events; an `initialize` answer marks a new process.
  if (message.kind === "response") {
    const result = record(message.result);
    if (typeof result?.userAgent === "string") startProcess(state);
    if (record(result?.thread) !== null) state.model = text(result?.model) ?? state.model;
    return { ok: true, events: [] };
  }
  state.messages += 1;
  state.lastTime = messageTime(message.params) ?? state.lastTime;
  const eventId =
    run === undefined ? await contentEventId(threadId, state, message) : placeEventId(run, "out", ordinal, 0);
  return { ok: true, events: [toEvent(threadId, state, message, eventId)] };
}

async function endOfOutput({ threadId, run }: CodexBridgeOptions, state: BridgeState): Promise<RuntimeEvent[]> {
  if (state.ended || state.messages === 0) return [];
  state.ended = true;
  const digest = await contentDigest([threadId, "end of output", state.messages, state.processes, state.lastTime]);
  return [
    {
      eventId: run === undefined ? `codex-end-${digest}` : edgeEventId(run, "exit"),
      type: "session.exited",
      provider: "codex",
      threadId,
      createdAt: state.lastTime,
      payload: { reason: "codex app-server output ended" },
    },
  ];
}

function startProcess(state: BridgeState): void {
  state.processes += 1;
  state.openRequests.clear();
}

/**
 * `codex-<SHA-256 of the thread, the method, the params in canonical form and a request's id>-<n>`, n counting the
 * byte-identical messages seen so far (Codex repeats lines).
 */
async function contentEventId(threadId: string, state: BridgeState, message: Inbound): Promise<string> {
  const id = message.kind === "request" ? [message.id] : [];
  const digest = await contentDigest([threadId, message.method, message.params, ...id]);
  const occurrence = (state.occurrences.get(digest) ?? 0) + 1;
  state.occurrences.set(digest, occurrence);
  return `codex-${digest}-${occurrence}`;
}

function toEvent(threadId: string, state: BridgeState, message: Inbound, eventId: string): RuntimeEvent {
  const { method, params } = message;
  const stored = storable(params);
  let turnId = validId(params.turnId) ?? validId(record(params.turn)?.id);
  const itemId = validId(params.itemId) ?? validId(record(params.item)?.id);
  let requestId: string | null = null;
  let providerRequestId: JsonRpcId | null = null;
  let draft: Draft | null;
  if (message.kind === "request") {
    providerRequestId = message.id;
    requestId = scopedRequestId(state, message.id, turnId);
    state.openRequests.set(idKey(message.id), { requestId, turnId, kind: requestKind(method) });
    draft = mapRequest(method, params, stored);
  } else if (method === "serverRequest/resolved" && isJsonRpcId(params.requestId)) {
    providerRequestId = params.requestId;
    const open = state.openRequests.get(idKey(params.requestId));
    state.openRequests.delete(idKey(params.requestId));
    requestId = open?.requestId ?? scopedRequestId(state, params.requestId, null);
    turnId = open?.turnId ?? turnId;
    draft = resolution(open?.kind ?? null);
  } else if (method === "thread/tokenUsage/updated") {
    draft = tokenUsageDraft(params, state.model);
  } else {
    draft = mapNotification(method, params, stored);
  }
  const source = message.kind === "request" ? "codex.app-server.request" : "codex.app-server.notification";
  return {
    eventId,
    // Unmapped methods are stored as-is under `codex/<method>`, their params in `raw.payload`: nothing is lost.
    type: draft?.type ?? `codex/${method}`,
    provider: "codex",
    threadId,
    createdAt: state.lastTime,
    ...(turnId === null ? {} : { turnId }),
    ...(itemId === null ? {} : { itemId }),
    ...(requestId === null ? {} : { requestId }),
    providerRefs: {
      ...(turnId === null ? {} : { providerTurnId: turnId }),
      ...(itemId === null ? {} : { providerItemId: itemId }),
      ...(providerRequestId === null ? {} : { providerRequestId: String(providerRequestId) }),
    },
    raw: { source, method, payload: stored },
    ...(draft === null ? {} : { payload: draft.payload }),
  };
}

/**
 * Request ids restart with every app-server process, so they are scoped: by the request's turn (Codex turn ids are
 * UUIDv7, unique across processes), or, for a request outside any turn, by the count of processes seen so far.
 */
function scopedRequestId(state: BridgeState, id: JsonRpcId, turnId: string | null): string | null {
  return validId(`${turnId ?? `process-${state.processes}`}:${idKey(id)}`);
}

/** 7 and "7" are different JSON-RPC ids. */
function idKey(id: JsonRpcId): string {
  return typeof id === "number" ? String(id) : JSON.stringify(id);
}

/** The message's own time: an item's or a request's milliseconds, else a turn's or a thread's seconds. */
function messageTime(params: Params): string | null {
  const turn = record(params.turn);
  const thread = record(params.thread);
  return (
    isoTime(params.completedAtMs, 1) ??
    isoTime(params.startedAtMs, 1) ??
    isoTime(turn?.completedAt, 1000) ??
    isoTime(turn?.startedAt, 1000) ??
    isoTime(thread?.updatedAt, 1000) ??
    isoTime(thread?.createdAt, 1000)
  );
}
