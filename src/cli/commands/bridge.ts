import { createCodexBridge } from "../../bridge/codex.ts";
import { parseArguments, UsageError } from "../args.ts";
import type { Command } from "../context.ts";
import { forwardLines } from "../forward.ts";

export const bridge: Command = {
  name: "bridge",
  summary: "forward what `codex app-server` writes to stdout as provider runtime events",
  usage: `Usage: provider-sessions bridge codex --thread <threadId> [file.jsonl | -] [--no-exit]

Reads the JSON-RPC messages \`codex app-server\` writes to its stdout (one JSON object a line; standard input
by default, or a saved transcript) and forwards the matching provider runtime events to the session
<threadId>. Every field of every event derives from the input alone, so replaying a transcript stores it
once. Lines that are not JSON-RPC messages are reported and skipped; exits with status 1 if any line or
event was refused.

  --thread ID   the service's session the events belong to (required)
  --no-exit     do not send session.exited when the input ends (by default the end of the app-server's
                stdout means its process ended)
`,
  async run(args, context) {
    const { options, positionals } = parseArguments(args, {
      thread: { type: "string" },
      "no-exit": { type: "boolean" },
    });
    const [provider, path = "-", ...extra] = positionals;
    if (provider === undefined) throw new UsageError("bridge needs a provider: codex");
    if (provider !== "codex") throw new UsageError(`no bridge for "${provider}" (there is one for codex)`);
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const threadId = options.thread;
    if (threadId === undefined) throw new UsageError("bridge codex needs --thread <threadId>");
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
