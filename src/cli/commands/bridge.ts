import { createCodexBridge } from "../../bridge/codex.ts";
import { BRIDGE_KINDS, type BridgeKind, type RunIdentity } from "../../bridge/common.ts";
import { DEFAULT_GRACE_MS } from "../../bridge/delivery.ts";
import { createLiveBridge, type LiveBridge } from "../../bridge/live.ts";
import { readRecorded } from "../../bridge/recording.ts";
import type { RuntimeEvent } from "../../contracts/events.ts";
import { integerOption, parseArguments, UsageError } from "../args.ts";
import type { CliContext, Command } from "../context.ts";
import { forwardLines } from "../forward.ts";
import { wrapAgent } from "../wrap.ts";

export const bridge: Command = {
  name: "bridge",
  summary: "run an agent (codex, claude, acp) and forward what its stdio says as provider runtime events",
  usage: `Usage: provider-sessions bridge <codex|claude|acp> --thread <threadId> [--spool DIR] [--record FILE] -- <agent command…>
       provider-sessions bridge <codex|claude|acp> --replay FILE [--thread <threadId>]
       provider-sessions bridge codex --thread <threadId> [file.jsonl | -] [--no-exit]

Wrap mode (with -- and the agent's command): spawns the agent in place of the caller, passes the caller's
standard input to it and its standard output back unchanged, its standard error through, forwards signals,
and exits with the agent's status. What both directions say is forwarded to the session <threadId> on the
side: never holding the pipe, spooled to disk while the service is slow or down, resent in order when it
answers again or by the next run. A start event at the spawn, session.exited at the agent's exit.

  --thread ID     the service's session the events belong to (required, except for --replay)
  --spool DIR     where undelivered events wait (default: $XDG_STATE_HOME/provider-sessions/spool)
  --record FILE   write a transcript of the run (one JSON object a line, direction-tagged, mode 0600)
  --grace-ms N    how long the bridge waits for the service when the agent has exited (default 5000)
  --replay FILE   forward a recorded run again (the same eventIds: the service stores it once)

Stdout mode (codex only): reads what \`codex app-server\` writes to stdout (a file, or standard input) and
forwards its events; lines that are not JSON-RPC messages are reported and skipped; exits 1 if any line or
event was refused.

  --no-exit       do not send session.exited when the input ends
`,
  async run(args, context) {
    const split = args.indexOf("--");
    const own = split < 0 ? args : args.slice(0, split);
    const command = split < 0 ? null : args.slice(split + 1);
    const { options, positionals } = parseArguments(own, {
      thread: { type: "string" },
      "no-exit": { type: "boolean" },
      spool: { type: "string" },
      record: { type: "string" },
      replay: { type: "string" },
      "grace-ms": { type: "string" },
    });
    const [provider, path = "-", ...extra] = positionals;
    if (provider === undefined) throw new UsageError(`bridge needs an agent: ${BRIDGE_KINDS.join(", ")}`);
    if (!BRIDGE_KINDS.includes(provider as BridgeKind)) {
      throw new UsageError(`no bridge for "${provider}" (there are ${BRIDGE_KINDS.join(", ")})`);
    }
    const kind = provider as BridgeKind;
    const threadId = options.thread;
    if (options.replay !== undefined) {
      if (command !== null || positionals.length > 1) throw new UsageError("--replay takes no input and no command");
      return replay(kind, options.replay, threadId, context);
    }
    if (threadId === undefined) throw new UsageError(`bridge ${kind} needs --thread <threadId>`);
    if (command !== null) {
      if (command.length === 0) throw new UsageError("-- needs the agent's command");
      if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}" before --`);
      if (context.agents === undefined) throw new UsageError("wrap mode runs agents only from the command line");
      return wrapAgent(
        {
          kind,
          threadId,
          command,
          ...(options.spool === undefined ? {} : { spoolDir: options.spool }),
          ...(options.record === undefined ? {} : { recordPath: options.record }),
          graceMs: integerOption("grace-ms", options["grace-ms"], 0) ?? DEFAULT_GRACE_MS,
        },
        context.agents,
        context,
      );
    }
    if (kind !== "codex") throw new UsageError(`bridge ${kind} runs in wrap mode: add -- and the agent's command`);
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const codex = createCodexBridge({ threadId });
    return forwardLines(
      path,
      async (line) => {
        const translation = await codex.translate(line);
        return translation.ok ? translation.events : translation.problem;
      },
      context,
      options["no-exit"] ? undefined : () => codex.end(),
    );
  },
};

/** A recording forwarded again: the run line names the run, so every event has the eventId it had live. */
function replay(kind: BridgeKind, path: string, threadId: string | undefined, context: CliContext): Promise<number> {
  let live: LiveBridge | null = null;
  const ordinals = { in: 0, out: 0 };
  return forwardLines(
    path,
    async (line): Promise<RuntimeEvent[] | string> => {
      const entry = readRecorded(line);
      if (typeof entry === "string") return entry;
      if (entry.dir === "run") {
        if (entry.run.kind !== kind) return `a recording of ${entry.run.kind}, not ${kind}`;
        const run: RunIdentity = { ...entry.run, threadId: threadId ?? entry.run.threadId };
        live = createLiveBridge(run);
        return [live.start()];
      }
      if (live === null) return "the recording does not start with its run line";
      if (entry.dir === "exit") return [live.exit(entry.exit, entry.t)];
      ordinals[entry.dir] += 1;
      const observation = await live.observe(entry.dir, entry.line, ordinals[entry.dir], entry.t);
      return observation.ok ? observation.events : observation.problem;
    },
    context,
  );
}
