/**
 * Wrap mode as a process: the bridge runs a fake agent that plays the Codex fixture, against a stand-in ingest
 * service that can be stopped. The agent's stdout must come through byte for byte, its status be the bridge's, and
 * every event reach the service once and in order, whatever the service did meanwhile.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { STEPS as ACP_STEPS } from "../support/acp-transcript.ts";
import { STEPS as CLAUDE_STEPS } from "../support/claude-transcript.ts";
import { lines } from "../support/codex-transcript.ts";
import { type IngestServer, startIngestServer } from "../support/ingest-server.ts";
import { agentStdout, runCommand, type ScriptStep, startWrap } from "../support/wrap-run.ts";

/** The client's answer to the fixture's first approval (line 15), which goes to the agent's stdin. */
const APPROVAL_ANSWER = '{"id":0,"result":{"decision":"accept"}}';
const SCRIPT: readonly ScriptStep[] = [
  ...lines.slice(0, 15).map((text) => ({ dir: "out" as const, text })),
  { dir: "in", text: APPROVAL_ANSWER },
  ...lines.slice(15).map((text) => ({ dir: "out" as const, text })),
  { dir: "exit", code: 0 },
];
/** Notifications and server requests; responses to the client's requests are no events. */
const MESSAGES = lines.filter((line) => "method" in (JSON.parse(line) as object)).length;

let service: IngestServer;
let dir: string;
let count = 0;
const newThread = () => `wrap-${process.pid}-${++count}`;

beforeAll(async () => {
  service = await startIngestServer();
});
afterAll(() => service.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "bridge-wrap-"));
});
afterEach(async () => {
  await service.start();
  rmSync(dir, { recursive: true, force: true });
});

/** The stdout place of each wrap-mode event (`codex-w<run>-out<n>-0`) must ascend: the service got them in order. */
function expectInOrder(eventIds: readonly string[]): void {
  const places = eventIds.map((id) => Number(/-out(\d+)-\d+$/.exec(id)?.[1] ?? Number.NaN)).filter(Number.isFinite);
  expect(places).toEqual([...places].sort((a, b) => a - b));
  expect(places.length).toBe(MESSAGES);
}

const spoolFiles = () => (existsSync(join(dir, "spool")) ? readdirSync(join(dir, "spool")) : []);

describe("bridge codex -- <agent> (wrap mode)", { timeout: 60_000 }, () => {
  it("passes the agent's stdout through byte for byte, exits with its status, and forwards the run once", async () => {
    const threadId = newThread();
    const crash = { dir: "err", text: `${"warming up\n".repeat(600)}panic: the disk is on fire` } as const;
    const script: ScriptStep[] = [...SCRIPT.slice(0, -1), crash, { dir: "exit", code: 3 }];
    const record = join(dir, "run.jsonl");
    const run = startWrap({
      dir,
      origin: service.origin,
      args: ["codex", "--thread", threadId, "--spool", join(dir, "spool"), "--record", record],
      script,
    });
    const { status, stdout, stderr } = await run.done;
    expect(stdout.equals(agentStdout(script))).toBe(true);
    expect(status).toBe(3);
    expect(stderr).toMatch(
      /provider-sessions bridge: \d+ events stored, 0 duplicate, 0 refused, 0 unreadable lines\n$/,
    );
    const stored = service.stored(threadId);
    expect(stored).toHaveLength(MESSAGES + 2);
    expect(stored[0]).toMatchObject({ type: "session.started", provider: "codex" });
    expect(stored.at(-1)).toMatchObject({ type: "session.exited", payload: { exitKind: "error", exitCode: 3 } });
    // The agent's stderr went through to the caller whole, and its end (4,096 characters) is the crash report.
    expect(stderr).toContain(`${crash.text}\n`);
    const tail = ((stored.at(-1)?.payload ?? {}) as { stderrTail?: string }).stderrTail ?? "";
    expect(tail).toHaveLength(4_096);
    expect(tail.endsWith("panic: the disk is on fire\n")).toBe(true);
    expect(`${crash.text}\n`.endsWith(tail)).toBe(true);
    expect(new Set(stored.map((event) => event.eventId)).size).toBe(stored.length);
    expect(spoolFiles()).toEqual([]);

    // The transcript: mode 0600, both directions, and a replay of it stores nothing new.
    expect(statSync(record).mode & 0o777).toBe(0o600);
    const recorded = readFileSync(record, "utf8").trim().split("\n");
    expect(recorded.filter((line) => line.startsWith('{"dir":"in"'))).toEqual([
      expect.stringContaining(`"msg":${APPROVAL_ANSWER}`),
    ]);
    const again = await runCommand(["bridge", "codex", "--replay", record], service.origin);
    expect(again.stderr).toBe("");
    expect(again.stdout).toMatch(
      new RegExp(`^${MESSAGES + 2} events in [\\d.]+s: 0 stored, ${MESSAGES + 2} duplicate`),
    );
    expect(service.stored(threadId)).toHaveLength(MESSAGES + 2);
  });

  it("keeps forwarding while the service is stopped mid-run, and delivers everything in order once it is back", async () => {
    const threadId = newThread();
    const run = startWrap({
      dir,
      origin: service.origin,
      args: ["codex", "--thread", threadId, "--spool", join(dir, "spool")],
      script: SCRIPT,
      hold: true,
    });
    await service.storedAtLeast(threadId, 1);
    await service.stop();
    await run.stdoutReached(agentStdout(SCRIPT).byteLength);
    await service.start();
    run.endInput();
    const { status, stdout } = await run.done;
    expect(status).toBe(0);
    expect(stdout.equals(agentStdout(SCRIPT))).toBe(true);
    const stored = service.stored(threadId);
    expect(stored).toHaveLength(MESSAGES + 2);
    expect(stored[0]?.type).toBe("session.started");
    expect(stored.at(-1)?.type).toBe("session.exited");
    expectInOrder(stored.map((event) => event.eventId));
    expect(spoolFiles()).toEqual([]);
  });

  it("spools a run the service missed entirely; the next run of the thread sends it first, once, in order", async () => {
    const threadId = newThread();
    const args = ["codex", "--thread", threadId, "--spool", join(dir, "spool"), "--grace-ms", "200"];
    await service.stop();
    const missed = await startWrap({ dir, origin: service.origin, args, script: SCRIPT }).done;
    expect(missed.status).toBe(0);
    expect(missed.stdout.equals(agentStdout(SCRIPT))).toBe(true);
    expect(missed.stderr).toContain(`${MESSAGES + 2} left in the spool for the next run`);
    const [spool] = spoolFiles();
    expect(statSync(join(dir, "spool", spool ?? "")).mode & 0o777).toBe(0o600);
    const spooled = readFileSync(join(dir, "spool", spool ?? ""), "utf8")
      .trim()
      .split("\n");
    expect(spooled).toHaveLength(MESSAGES + 2);

    await service.start();
    const short: ScriptStep[] = [
      { dir: "out", text: lines[0] ?? "" },
      { dir: "exit", code: 0 },
    ];
    const next = await startWrap({ dir, origin: service.origin, args, script: short }).done;
    expect(next.stderr).toContain(`resending ${MESSAGES + 2} events an earlier run left in the spool`);
    const stored = service.stored(threadId).map((event) => event.eventId);
    expect(stored.slice(0, MESSAGES + 2)).toEqual(
      spooled.map((line) => (JSON.parse(line) as { eventId: string }).eventId),
    );
    expect(stored).toHaveLength(MESSAGES + 2 + 2);
    expectInOrder(stored.slice(0, MESSAGES + 2));
    expect(service.duplicates(threadId)).toBe(0);
    expect(spoolFiles()).toEqual([]);
  });

  it("passes a malformed agent line through unchanged, reports it, and forwards nothing for it", async () => {
    const threadId = newThread();
    const noise = "codex: warming up {not json";
    const script: ScriptStep[] = [...SCRIPT.slice(0, 3), { dir: "out", text: noise }, ...SCRIPT.slice(3)];
    const { status, stdout, stderr } = await startWrap({
      dir,
      origin: service.origin,
      args: ["codex", "--thread", threadId, "--spool", join(dir, "spool")],
      script,
    }).done;
    expect(status).toBe(0);
    expect(stdout.equals(agentStdout(script))).toBe(true);
    expect(stderr).toContain("provider-sessions bridge: agent stdout line 4: not JSON\n");
    expect(stderr).toContain("1 unreadable lines");
    expect(service.stored(threadId)).toHaveLength(MESSAGES + 2);
  });

  it("forwards SIGTERM to the agent, records the stop it asked for as a graceful exit, and loses nothing", async () => {
    const threadId = newThread();
    const run = startWrap({
      dir,
      origin: service.origin,
      args: ["codex", "--thread", threadId, "--spool", join(dir, "spool")],
      script: SCRIPT,
      hold: true,
    });
    await run.stdoutReached(agentStdout(SCRIPT).byteLength);
    run.child.kill("SIGTERM");
    const { status } = await run.done;
    expect(status).toBe(128 + 15);
    const stored = service.stored(threadId);
    expect(stored).toHaveLength(MESSAGES + 2);
    expect(stored.at(-1)).toMatchObject({
      type: "session.exited",
      payload: { signal: "SIGTERM", exitKind: "graceful" },
    });
    expect(stored.at(-1)?.payload).not.toHaveProperty("stderrTail");
  });

  it("runs a Claude session both ways: the client's prompts and answers reach the agent, the run reaches the service", async () => {
    const threadId = newThread();
    const { status, stdout, stderr } = await startWrap({
      dir,
      origin: service.origin,
      args: ["claude", "--thread", threadId, "--spool", join(dir, "spool")],
      script: CLAUDE_STEPS,
    }).done;
    expect(status).toBe(0);
    expect(stdout.equals(agentStdout(CLAUDE_STEPS))).toBe(true);
    expect(stderr).toMatch(/ 0 unreadable lines\n$/);
    const types = service.stored(threadId).map((event) => event.type);
    expect(types.filter((type) => type === "turn.started")).toHaveLength(4);
    expect(types).toContain("request.resolved");
    expect(types).toContain("user-input.resolved");
    expect(types.at(-1)).toBe("session.exited");
  });

  it("runs an ACP session both ways: the prompt's response settles each turn, the client's answer the approval", async () => {
    const threadId = newThread();
    const { status, stdout } = await startWrap({
      dir,
      origin: service.origin,
      args: ["acp", "--thread", threadId, "--spool", join(dir, "spool")],
      script: ACP_STEPS,
    }).done;
    expect(status).toBe(0);
    expect(stdout.equals(agentStdout(ACP_STEPS))).toBe(true);
    const events = service.stored(threadId);
    expect(events.filter((event) => event.type === "turn.completed").map((event) => event.payload?.state)).toEqual([
      "completed",
      "cancelled",
      "failed",
      "completed",
    ]);
    expect(events.map((event) => event.type)).toContain("request.resolved");
  });

  it("after a SIGKILL of the bridge, the next run resends what reached the spool, in order, once", async () => {
    const threadId = newThread();
    const args = ["codex", "--thread", threadId, "--spool", join(dir, "spool")];
    await service.stop();
    const killed = startWrap({ dir, origin: service.origin, args, script: SCRIPT, hold: true });
    await killed.stdoutReached(agentStdout(SCRIPT).byteLength);
    const spooled = await spoolHolding(MESSAGES + 1);
    killed.child.kill("SIGKILL");
    expect((await killed.done).signal).toBe("SIGKILL");

    await service.start();
    const short: ScriptStep[] = [
      { dir: "out", text: lines[0] ?? "" },
      { dir: "exit", code: 0 },
    ];
    const next = await startWrap({ dir, origin: service.origin, args, script: short }).done;
    expect(next.status).toBe(0);
    const stored = service.stored(threadId).map((event) => event.eventId);
    expect(stored.slice(0, spooled.length)).toEqual(spooled);
    expect(stored).toHaveLength(spooled.length + 2);
    expect(service.duplicates(threadId)).toBe(0);
    expect(spoolFiles()).toEqual([]);
  });
});

/** The eventIds in the thread's spool once it holds `count` (a process appends them; the test waits for its file). */
async function spoolHolding(count: number): Promise<string[]> {
  for (;;) {
    const [file] = spoolFiles();
    const text = file === undefined ? "" : readFileSync(join(dir, "spool", file), "utf8");
    const ids = text
      .split("\n")
      .filter((line) => line.endsWith("}"))
      .map((line) => (JSON.parse(line) as { eventId: string }).eventId);
    if (ids.length >= count) return ids;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
