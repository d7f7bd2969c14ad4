/** The `provider-sessions` command against the real Worker: help, ls, get, send, tail. */
import { describe, expect, it, vi } from "vitest";
import type { SessionSummary } from "../../src/contracts/directory.ts";
import type { RuntimeEvent } from "../../src/contracts/events.ts";
import type { SessionView } from "../../src/contracts/replies.ts";
import { newThreadId } from "../support/api.ts";
import { CLI_ENV, cli, plain } from "../support/cli.ts";
import { testClient } from "../support/client-fetch.ts";
import { ev, runtimeEvent } from "../support/events.ts";

const client = testClient();
const ESCAPE = "\u001b[";

/** A running turn the provider says has stalled for a minute, with a background task and a denied tool. */
async function stalledSession(): Promise<string> {
  const threadId = newThreadId();
  await client.ingest(threadId, [
    ev.sessionStarted({ threadId }),
    ev.turnStarted("turn-3", { threadId }),
    runtimeEvent("task.started", { taskId: "task-1", description: "npm test" }, { threadId }),
    runtimeEvent("task.updated", { taskId: "task-2", status: "running", isBackgrounded: true }, { threadId }),
    runtimeEvent("tool.denied", { toolName: "Bash", reason: "not allowed" }, { threadId, turnId: "turn-3" }),
    runtimeEvent("session.health", { state: "stalled", stalledForMs: 120_000 }, { threadId }),
  ]);
  return threadId;
}

/** Held by a usage limit that resets in two hours. */
async function limitedSession(now: number): Promise<string> {
  const threadId = newThreadId();
  const resetsAt = new Date(now + 2 * 3600_000).toISOString();
  await client.ingest(threadId, [
    ev.sessionStarted({ threadId }),
    runtimeEvent("runtime.error", { message: "limit", class: "usage_limit", detail: { resetsAt } }, { threadId }),
  ]);
  return threadId;
}

async function waitingSession(): Promise<string> {
  const threadId = newThreadId();
  await client.ingest(threadId, [
    ev.sessionStarted({ threadId }),
    ev.turnStarted("turn-7", { threadId }),
    ev.requestOpened("req-1", "turn-7", { threadId }),
  ]);
  return threadId;
}

describe("help and usage", () => {
  it("lists the commands, and each command's --help needs no URL or token", async () => {
    const overview = await cli(["--help"], { env: {} });
    expect(overview.status).toBe(0);
    for (const name of ["ls", "get", "tail", "send", "bridge"]) {
      expect(overview.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
      const help = await cli([name, "--help"], { env: {} });
      expect(help).toMatchObject({ status: 0, stderr: "" });
      expect(help.stdout.startsWith(`Usage: provider-sessions ${name}`)).toBe(true);
    }
  });

  it("refuses an unknown command, an unknown option and a missing argument with one line and status 2", async () => {
    for (const argv of [
      ["frobnicate"],
      ["ls", "--colour"],
      ["get"],
      ["tail", "t", "--after", "-1"],
      ["ls", "--status", "busy"],
    ]) {
      const run = await cli(argv);
      expect(run.status, argv.join(" ")).toBe(2);
      expect(run.stderr.trimEnd().split("\n"), argv.join(" ")).toHaveLength(1);
      expect(run.stderr).toMatch(/^provider-sessions: .*--help/);
      expect(run.stdout).toBe("");
    }
    expect((await cli([])).status).toBe(2);
  });
});

describe("get", () => {
  it("shows status, turn and what waits for a person, or the raw view with --json", async () => {
    const threadId = await waitingSession();
    const run = await cli(["get", threadId]);
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain(ESCAPE);
    expect(run.stdout).toMatch(/^status +running$/m);
    expect(run.stdout).toMatch(/^active turn +turn-7$/m);
    expect(run.stdout).toMatch(/^waiting for you +1 approval \(since /m);
    expect(run.stdout).toMatch(/^events +3 \(last seq 3\)$/m);
    // Waiting for a person: the turn is not expired, the request times out a day after it opened.
    expect(run.stdout).toMatch(/^next +request-timeout in (1d|23h 59m) \(/m);

    const raw = JSON.parse((await cli(["get", threadId, "--json"])).stdout) as SessionView;
    expect(raw).toMatchObject({ threadId, status: "running", activeTurnId: "turn-7", lastSeq: 3 });
    expect(raw.pendingRequests.approvals).toBe(1);
  });

  it("shows a stall, background tasks and denied tools", async () => {
    const threadId = await stalledSession();
    const run = await cli(["get", threadId]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^health +stalled: no sign of life for 2m \(the provider says\)$/m);
    expect(run.stdout).toMatch(
      /^tasks +2 background tasks, 1 said to run in the background \(oldest started (now|\d+s ago)\)$/m,
    );
    expect(run.stdout).toMatch(/^denied tools +1 this turn, 1 in the session$/m);
    expect(run.stdout).not.toMatch(/^(limit resets|exit|stderr tail)/m);
  });

  it("counts down to a usage limit's reset", async () => {
    const now = Date.now();
    const threadId = await limitedSession(now);
    const run = await cli(["get", threadId], { now });
    expect(run.stdout).toMatch(/^status +error$/m);
    expect(run.stdout).toMatch(/^limit resets +in 2h \(\d{4}-\d\d-\d\dT/m);
    expect(run.stdout).toMatch(/^health +—$/m);
    expect(run.stdout).toMatch(/^tasks +none$/m);
  });

  it("shows a non-graceful exit and the end of its stderr, without the escapes in it", async () => {
    const threadId = newThreadId();
    const stderr = [
      ...Array.from({ length: 20 }, (_, index) => `line ${index + 1}`),
      "\u001b[2Jpanic: out of memory\r",
      "",
    ];
    await client.ingest(threadId, [
      ev.sessionStarted({ threadId }),
      runtimeEvent("session.exited", { exitKind: "error", stderrTail: stderr.join("\n") }, { threadId }),
    ]);
    const run = await cli(["get", threadId]);
    expect(run.stdout).toMatch(/^exit +error: the provider exited non-gracefully$/m);
    expect(run.stdout).not.toContain(ESCAPE);
    const tail = run.stdout.slice(run.stdout.indexOf("stderr tail\n")).split("\n");
    expect(tail.slice(0, 3)).toEqual(["stderr tail", "  … 9 earlier lines (--json shows them)", "  line 10"]);
    expect(tail.slice(-3)).toEqual(["  line 20", "  panic: out of memory", ""]);
  });

  it("shows tokens, the context window and the cost with where the price came from", async () => {
    const threadId = newThreadId();
    const o = { threadId };
    const snapshot = { usedTokens: 9_000, maxTokens: 272_000, inputTokens: 12_400, cachedInputTokens: 4_000 };
    await client.ingest(threadId, [
      ev.sessionStarted(o),
      runtimeEvent("turn.started", { model: "gpt-5" }, { ...o, turnId: "t1" }),
      runtimeEvent(
        "thread.token-usage.updated",
        { usage: { ...snapshot, outputTokens: 2_000 } },
        { ...o, turnId: "t1" },
      ),
    ]);
    const run = await cli(["get", threadId]);
    expect(run.stdout).toMatch(/^tokens +12\.4k in \(4k cached\), 2k out$/m);
    expect(run.stdout).toMatch(/^context +9k of 272k \(3%\)$/m);
    // GPT-5: $1.25 a million uncached input, $0.125 cached, $10 output.
    const usd = (8_400 * 1.25 + 4_000 * 0.125 + 2_000 * 10) / 1e6;
    expect(run.stdout).toMatch(
      new RegExp(
        `^cost +\\$${usd.toFixed(4).replace(".", "\\.")} \\(priced from @pydantic/genai-prices@[\\d.]+, gpt-5, high\\)$`,
        "m",
      ),
    );
    const quiet = await cli(["get", await stalledSession()]);
    expect(quiet.stdout).not.toMatch(/^(tokens|context|cost) /m);
  });

  it("colours the status on a terminal, unless NO_COLOR is set", async () => {
    const threadId = await waitingSession();
    const coloured = await cli(["get", threadId], { tty: true });
    expect(coloured.stdout).toContain(`${ESCAPE}34mrunning${ESCAPE}39m`);
    expect(plain(coloured.stdout)).toMatch(/^status +running$/m);
    const uncoloured = await cli(["get", threadId], { tty: true, env: { ...CLI_ENV, NO_COLOR: "1" } });
    expect(uncoloured.stdout).not.toContain(ESCAPE);
  });
});

describe("ls", () => {
  it("lists the tenant's sessions as a table, and filters those waiting for a person", async () => {
    const waiting = await waitingSession();
    const ready = newThreadId();
    await client.ingest(ready, [ev.sessionStarted({ threadId: ready })]);
    const listed = async (args: string[]) =>
      (await cli(["ls", "--json", ...args])).stdout
        .trimEnd()
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as SessionSummary);
    await vi.waitFor(async () => {
      const ids = (await listed([])).map((session) => session.threadId);
      expect(ids).toEqual(expect.arrayContaining([waiting, ready]));
    });
    const attention = (await listed(["--attention"])).map((session) => session.threadId);
    expect(attention).toContain(waiting);
    expect(attention).not.toContain(ready);
    const readyOnly = await listed(["--status", "ready"]);
    expect(readyOnly.map((session) => session.threadId)).toContain(ready);
    expect(readyOnly.every((session) => session.status === "ready")).toBe(true);
    expect(await listed(["--limit", "1"])).toHaveLength(1);

    const table = (await cli(["ls"])).stdout.split("\n");
    expect(table[0]).toMatch(
      /^THREAD +STATUS +PROVIDER +TURN +WAITING FOR YOU +HEALTH +TASKS +LIMIT +COST +LAST EVENT +NEXT$/,
    );
    const row = table.find((line) => line.startsWith(waiting));
    expect(row).toMatch(
      new RegExp(
        `^${waiting} +running +codex +turn-7 +1 approval +— +— +— +— +(now|\\d+s ago) +request-timeout in (1d|23h 59m)$`,
      ),
    );
  });

  it("marks stalled sessions, background tasks and usage limits, and filters each", async () => {
    const now = Date.now();
    const [stalled, limited] = [await stalledSession(), await limitedSession(now)];
    const listed = async (args: string[]) =>
      (await cli(["ls", "--json", ...args])).stdout
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => (JSON.parse(line) as SessionSummary).threadId)
        .filter((threadId) => threadId === stalled || threadId === limited);
    // The directory learns of a change a moment after the session does.
    await vi.waitFor(async () => {
      expect(await listed(["--stalled"])).toEqual([stalled]);
      expect(await listed(["--limited"])).toEqual([limited]);
    });
    expect(await listed(["--tasks-running"])).toEqual([stalled]);
    expect(await listed(["--attention"])).toEqual([stalled]);
    expect(await listed(["--stalled", "--limited"])).toEqual([]);

    const table = (await cli(["ls", "--status", "running", "--status", "error"], { now })).stdout.split("\n");
    expect(table.find((line) => line.startsWith(stalled))).toMatch(
      new RegExp(`^${stalled} +running +codex +turn-3 +— +stalled 2m +2 \\(1 bg\\) +— +`),
    );
    expect(table.find((line) => line.startsWith(limited))).toMatch(
      new RegExp(`^${limited} +error +codex +— +— +— +— +resets in 2h +`),
    );
  });
});

describe("send", () => {
  const lines = (events: readonly unknown[]) => events.map((event) => JSON.stringify(event));

  it("forwards every line in order per thread, reports the refused ones by line, and exits 1", async () => {
    const threads = [newThreadId(), newThreadId(), newThreadId()];
    const perThread = 40;
    const events = threads.flatMap((threadId) =>
      Array.from({ length: perThread }, (_, index) =>
        runtimeEvent("content.delta", { delta: `${index}` }, { threadId }),
      ),
    );
    // Interleave the threads, as a real orchestrator's stream would.
    const interleaved = Array.from({ length: perThread }, (_, index) =>
      threads.map((_, t) => events[t * perThread + index]),
    );
    const file = lines(interleaved.flat());
    const badState = ev.turnCompleted("t9", "finished", { threadId: threads[0] as string });
    file.splice(10, 0, "{ not json");
    file.splice(20, 0, JSON.stringify(badState));
    const run = await cli(["send", "events.ndjson"], { files: { "events.ndjson": file } });

    expect(run.status).toBe(1);
    expect(run.stderr).toContain("line 11: not valid JSON\n");
    expect(run.stderr).toMatch(new RegExp(`^line 21: refused ${badState.eventId}: 422 [^(]*\\(/payload/state `, "m"));
    expect(run.stdout).toMatch(/^122 events in [\d.]+s: 120 stored, 0 duplicate, 2 refused, 0 requests retried/);
    for (const [t, threadId] of threads.entries()) {
      const stored: string[] = [];
      for await (const entry of client.events(threadId)) stored.push(entry.event.eventId);
      expect(stored).toEqual(events.slice(t * perThread, (t + 1) * perThread).map((event) => event?.eventId));
    }

    const again = await cli(["send", "-"], { files: { "-": lines(events) } });
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^120 events in [\d.]+s: 0 stored, 120 duplicate, 0 refused/);
  });

  it("gives lines without a threadId the one of --thread, and draws progress only on a terminal", async () => {
    const threadId = newThreadId();
    const events = [ev.sessionStarted(), ev.turnStarted("t1")].map(({ threadId: _, ...event }) => event);
    const missing = await cli(["send", "f"], { files: { f: lines(events) } });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("line 1: no threadId (pass --thread to give one)");

    const run = await cli(["send", "f", "--thread", threadId], { files: { f: lines(events) }, tty: true });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/\[█+\] 100% 2 read · 2 stored · 0 duplicate · 0 refused/);
    expect((await client.session(threadId)).activeTurnId).toBe("t1");
    const piped = await cli(["send", "f", "--thread", threadId], { files: { f: lines(events) } });
    expect(piped.stderr).toBe("");
  });

  it("stops at the first answer no event would change: a read token cannot write", async () => {
    const { token } = await client.readToken();
    const threadId = newThreadId();
    const events = Array.from({ length: 30 }, () => runtimeEvent("content.delta", {}, { threadId }));
    const run = await cli(["send", "f"], {
      env: { ...CLI_ENV, PROVIDER_SESSIONS_TOKEN: token },
      files: { f: lines(events) },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^provider-sessions: 403 .*use an API token\)\n$/);
  });

  it("names a file it cannot open", async () => {
    const run = await cli(["send", "nowhere.ndjson"], { files: {} });
    expect(run).toMatchObject({ status: 1, stderr: "provider-sessions: cannot read nowhere.ndjson: no such file\n" });
  });
});

describe("tail", () => {
  it("prints the status line and each stored event live, in order, until stopped", async () => {
    const threadId = newThreadId();
    await client.ingest(threadId, [ev.sessionStarted({ threadId }), ev.turnStarted("t1", { threadId })]);
    const stop = new AbortController();
    // Commits while tailing: one changes what waits, one changes nothing a status line shows, one settles the turn.
    const later: RuntimeEvent[][] = [
      [ev.requestOpened("r1", "t1", { threadId })],
      [ev.contentDelta("t1", { threadId })],
      [ev.requestResolved("r1", "t1", { threadId }), ev.turnCompleted("t1", "completed", { threadId })],
    ];
    const triggers = ["#2 ", "#3 ", "#4 "];
    let sent = 0;
    const tailing = cli(["tail", threadId, "--after", "0"], {
      signal: stop.signal,
      onOutput(stdout) {
        const seen = plain(stdout);
        const trigger = triggers[sent];
        if (trigger !== undefined && seen.includes(trigger)) {
          void client.ingest(threadId, later[sent] ?? []);
          sent += 1;
        }
        if (seen.includes("#6 ")) stop.abort();
      },
    });
    const run = await tailing;
    expect(run.status).toBe(0);
    const output = run.stdout.split("\n").filter((line) => line !== "");
    const eventLines = output.filter((line) => line.startsWith("#"));
    expect(
      eventLines.map((line) =>
        line
          .split(" ")
          .slice(0, 4)
          .join(" ")
          .replace(/ \S+Z? /, " "),
      ),
    ).toEqual([
      "#1 session.started applied",
      "#2 turn.started applied",
      "#3 request.opened applied",
      "#4 content.delta recorded",
      "#5 request.resolved applied",
      "#6 turn.completed applied",
    ]);
    expect(eventLines[1]).toContain("turn t1");
    // A status line only when what it shows changed: the delta's commit prints none.
    expect(output.filter((line) => line.startsWith("── "))).toEqual([
      "── running · turn t1",
      "── running · turn t1 · waiting for you: 1 approval",
      "── ready",
    ]);
    expect(output.indexOf("── running · turn t1 · waiting for you: 1 approval")).toBeGreaterThan(
      output.findIndex((line) => line.startsWith("#3 ")),
    );
  });

  it("waits for a session that has no events yet", async () => {
    const threadId = newThreadId();
    const stop = new AbortController();
    const run = await cli(["tail", threadId], {
      signal: stop.signal,
      onOutput(stdout) {
        if (stdout.includes("waiting")) void client.ingest(threadId, [ev.sessionStarted({ threadId })]);
        if (stdout.includes("#1 ")) stop.abort();
      },
    });
    expect(run.status).toBe(0);
    expect(run.stdout.split("\n")[0]).toBe(`── no events yet for ${threadId}; waiting`);
    expect(run.stdout).toMatch(/^#1 \S+ session.started applied$/m);
  });
});
