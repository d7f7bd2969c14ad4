/** `provider-sessions bridge codex`: the transcript fixture through the command into the Worker. */
import { describe, expect, it } from "vitest";
import { newThreadId } from "../support/api.ts";
import { cli } from "../support/cli.ts";
import { testClient } from "../support/client-fetch.ts";
import { lines, USAGE_REPORTS } from "../support/codex-transcript.ts";

const client = testClient();

/** Notifications and server requests carry a method; responses to the client's requests do not, and are no events. */
const messages = lines.filter((line) => "method" in (JSON.parse(line) as object)).length;

describe("bridge codex", () => {
  it("forwards every message of the transcript, then the exit its end stands for; a replay stores nothing", async () => {
    const threadId = newThreadId();
    const run = await cli(["bridge", "codex", "--thread", threadId], { files: { "-": lines } });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const events = messages + 1;
    expect(run.stdout).toMatch(new RegExp(`^${events} events in [\\d.]+s: ${events} stored, 0 duplicate, 0 refused`));
    const session = await client.session(threadId);
    expect(session).toMatchObject({
      status: "stopped",
      activeTurnId: null,
      lastSeq: events + USAGE_REPORTS,
      providerName: "codex",
    });

    const again = await cli(["bridge", "codex", "--thread", threadId, "-"], { files: { "-": lines } });
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^${events} events in [\\d.]+s: 0 stored, ${events} duplicate, 0 refused`));
  });

  it("with --no-exit leaves the session as the transcript left it", async () => {
    const threadId = newThreadId();
    const run = await cli(["bridge", "codex", "--thread", threadId, "transcript.jsonl", "--no-exit"], {
      files: { "transcript.jsonl": lines },
    });
    expect(run.status).toBe(0);
    expect(await client.session(threadId)).toMatchObject({
      status: "ready",
      activeTurnId: null,
      lastSeq: messages + USAGE_REPORTS,
    });
  });

  it("reports a line that is not a JSON-RPC message by number, forwards the rest, and exits 1", async () => {
    const threadId = newThreadId();
    const withNoise = [...lines.slice(0, 3), "codex: starting up", ...lines.slice(3)];
    const run = await cli(["bridge", "codex", "--thread", threadId, "--no-exit"], { files: { "-": withNoise } });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^line 4: [^\n]+\n$/);
    expect((await client.session(threadId)).lastSeq).toBe(messages + USAGE_REPORTS);
  });

  it("needs the provider and the thread", async () => {
    for (const argv of [["bridge"], ["bridge", "claude", "--thread", "t"], ["bridge", "codex"]]) {
      const run = await cli(argv, { files: { "-": lines } });
      expect(run.status, argv.join(" ")).toBe(2);
      expect(run.stderr).toMatch(/^provider-sessions: .*\(try 'provider-sessions bridge --help'\)\n$/);
    }
  });
});
