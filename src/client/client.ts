/** `createClient`: every route of the service, typed from its own contracts, over nothing but `fetch`. */
import type { DirectoryMessage, DirectoryPage, SessionSummary } from "../contracts/directory.ts";
import type { RuntimeEvent } from "../contracts/events.ts";
import type { ReadToken } from "../contracts/read-tokens.ts";
import type { EventPage, IngestReply, LogEntryView, SessionView } from "../contracts/replies.ts";
import type { StreamMessage } from "../contracts/stream.ts";
import type { TurnsReply, UsageDimension, UsageReply } from "../contracts/usage.ts";
import type { SessionStatus } from "../contracts/vocabulary.ts";
import { type DirectoryOptions, followDirectory, followSession, type LiveOptions } from "./streams.ts";
import { createTransport, type Fetch, sessionPath, type Transport } from "./transport.ts";

export interface ClientOptions {
  /** Where the service answers, e.g. `https://sessions.example.com` (a path prefix is kept). */
  baseUrl: string;
  /** An API token, or a read token for the read methods. */
  token: string;
  /** Defaults to the global fetch; pass a service binding's fetch from another Worker, or a wrapper. */
  fetch?: Fetch;
}

export interface Signalled {
  signal?: AbortSignal;
}

export interface EventsOptions extends Signalled {
  /** Entries with a seq greater than this; 0 (the default) reads from the start. */
  after?: number;
  /**
   * The life `after` belongs to (a session view's or page's `epoch`): if the session was deleted and begun again
   * since, the read fails with a 409 `epoch-changed` problem instead of reading the new life from that seq.
   */
  epoch?: string;
  /** Page size, 1 to 1000. */
  limit?: number;
}

export interface ListFilters extends Signalled {
  status?: SessionStatus | readonly SessionStatus[];
  active?: boolean;
  attention?: boolean;
  /** Only sessions whose turn has stalled (`health.state` is `stalled`). */
  health?: "stalled";
  /** Only sessions with a background task running. */
  tasks?: "running";
  /** Only sessions held by a provider usage limit until `limitResetsAt`. */
  limited?: boolean;
  limit?: number;
}

export interface ReadTokenOptions extends Signalled {
  threadId?: string;
  ttlSeconds?: number;
}

export interface Client {
  ingest(threadId: string, events: RuntimeEvent | readonly RuntimeEvent[], options?: Signalled): Promise<IngestReply>;
  session(threadId: string, options?: Signalled): Promise<SessionView>;
  /** The tenant's usage from `from` to `to` (UTC days, inclusive), grouped by the dimensions (default: by day). */
  usage(query?: UsageQueryOptions): Promise<UsageReply>;
  /** The same report's rows as CSV text. */
  usageCsv(query?: UsageQueryOptions): Promise<string>;
  /** The latest turns (50 unless `limit`, at most 500), oldest first: times, how each ended, waiting, usage. */
  turns(threadId: string, options?: Signalled & { limit?: number }): Promise<TurnsReply>;
  /** Every stored entry after `after`, page by page (follows `nextAfter` to the end of the log). */
  events(threadId: string, options?: EventsOptions): AsyncGenerator<LogEntryView>;
  /** One page of the log, for callers that keep their own place. */
  eventPage(threadId: string, options?: EventsOptions): Promise<EventPage>;
  /** The tenant's sessions, newest activity first, page by page (follows `nextCursor`). */
  list(filters?: ListFilters): AsyncGenerator<SessionSummary>;
  /** One page of the directory, with its `version` (resume `directory()` after it). */
  listPage(filters?: ListFilters & { cursor?: string }): Promise<DirectoryPage>;
  /** The session's stream messages; reconnects and resumes after the last entry it yielded. */
  live(threadId: string, options?: LiveOptions): AsyncGenerator<StreamMessage>;
  /** The directory's changes; reconnects and resumes after the last version it yielded. */
  directory(options?: DirectoryOptions): AsyncGenerator<DirectoryMessage>;
  delete(threadId: string, options?: Signalled): Promise<void>;
  readToken(options?: ReadTokenOptions): Promise<ReadToken>;
  /** With an API token: revokes every read token of the tenant minted until now (effective everywhere within 60 s). */
  revokeReadTokens(options?: Signalled): Promise<void>;
  /** With a read token: revokes that token (a sign-out). */
  revokeThisToken(options?: Signalled): Promise<void>;
}

export interface UsageQueryOptions extends Signalled {
  /** The first UTC day, YYYY-MM-DD (default: 29 days before `to`). */
  from?: string;
  /** The last UTC day, inclusive (default: today). */
  to?: string;
  groupBy?: readonly UsageDimension[];
  limit?: number;
}

function usageQuery(query: UsageQueryOptions & { format?: "csv" }): URLSearchParams {
  const params = new URLSearchParams();
  if (query.from !== undefined) params.set("from", query.from);
  if (query.to !== undefined) params.set("to", query.to);
  if (query.groupBy !== undefined && query.groupBy.length > 0) params.set("groupBy", query.groupBy.join(","));
  if (query.limit !== undefined) params.set("limit", String(query.limit));
  if (query.format !== undefined) params.set("format", query.format);
  return params;
}

export function createClient(options: ClientOptions): Client {
  const fetcher: Fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const transport = createTransport(options.baseUrl, options.token, fetcher);
  const eventPage = (threadId: string, { after = 0, epoch, limit, signal }: EventsOptions = {}) => {
    const query = new URLSearchParams({ after: epoch === undefined ? String(after) : `${epoch}:${after}` });
    if (limit !== undefined) query.set("limit", String(limit));
    return transport.json<EventPage>("GET", `${sessionPath(threadId)}/events`, { query, signal });
  };
  const listPage = (filters: ListFilters & { cursor?: string } = {}) =>
    transport.json<DirectoryPage>("GET", "/v1/sessions", { query: directoryQuery(filters), signal: filters.signal });
  const client: Client = {
    ingest: (threadId, events, { signal } = {}) =>
      transport.json<IngestReply>("POST", `${sessionPath(threadId)}/events`, { body: events, signal }),
    session: (threadId, { signal } = {}) => transport.json<SessionView>("GET", sessionPath(threadId), { signal }),
    usage: (query = {}) =>
      transport.json<UsageReply>("GET", "/v1/usage", { query: usageQuery(query), signal: query.signal }),
    usageCsv: async (query = {}) => {
      const response = await transport.send("GET", "/v1/usage", {
        query: usageQuery({ ...query, format: "csv" }),
        signal: query.signal,
      });
      return response.text();
    },
    turns: (threadId, { signal, limit } = {}) =>
      transport.json<TurnsReply>("GET", `${sessionPath(threadId)}/turns`, {
        query: new URLSearchParams(limit === undefined ? {} : { limit: String(limit) }),
        signal,
      }),
    eventPage,
    async *events(threadId, options = {}) {
      let after: number | null = options.after ?? 0;
      let epoch = options.epoch;
      while (after !== null) {
        const page: EventPage = await eventPage(threadId, {
          ...options,
          after,
          ...(epoch === undefined ? {} : { epoch }),
        });
        yield* page.events;
        // Later pages name the life of the first: a delete and a new life between pages is an error, not a jump.
        epoch = page.epoch;
        after = page.nextAfter;
      }
    },
    listPage,
    async *list(filters = {}) {
      let cursor: string | null = null;
      do {
        const page: DirectoryPage = await listPage(cursor === null ? filters : { ...filters, cursor });
        yield* page.sessions;
        cursor = page.nextCursor;
      } while (cursor !== null);
    },
    live: (threadId, liveOptions = {}) => followSession(transport, client, threadId, liveOptions),
    directory: (directoryOptions = {}) => followDirectory(transport, directoryOptions),
    delete: async (threadId, { signal } = {}) => {
      await transport.send("DELETE", sessionPath(threadId), { signal });
    },
    readToken: ({ signal, ...body } = {}) => transport.json<ReadToken>("POST", "/v1/read-tokens", { body, signal }),
    revokeReadTokens: async ({ signal } = {}) => {
      await transport.send("POST", "/v1/read-tokens/revoke", { signal });
    },
    revokeThisToken: async ({ signal } = {}) => {
      await transport.send("DELETE", "/v1/read-tokens/self", { signal });
    },
  };
  return client;
}

function directoryQuery(filters: ListFilters & { cursor?: string }): URLSearchParams {
  const query = new URLSearchParams();
  const statuses =
    filters.status === undefined ? [] : typeof filters.status === "string" ? [filters.status] : filters.status;
  for (const status of statuses) query.append("status", status);
  if (filters.active !== undefined) query.set("active", String(filters.active));
  if (filters.attention !== undefined) query.set("attention", String(filters.attention));
  if (filters.health !== undefined) query.set("health", filters.health);
  if (filters.tasks !== undefined) query.set("tasks", filters.tasks);
  if (filters.limited !== undefined) query.set("limited", String(filters.limited));
  if (filters.limit !== undefined) query.set("limit", String(filters.limit));
  if (filters.cursor !== undefined) query.set("cursor", filters.cursor);
  return query;
}

export type { Transport };
