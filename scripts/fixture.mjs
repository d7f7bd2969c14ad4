// Writes a realistic NDJSON stream of provider runtime events to standard output, for `provider-sessions send`:
//   node scripts/fixture.mjs [threads=20] [turns=5] [deltas=20] > fixture.ndjson
// Every eventId derives from the arguments, so sending the same file twice stores it once.
const [threads = 20, turns = 5, deltas = 20] = process.argv.slice(2).map(Number);
const run = process.env.FIXTURE_RUN ?? "fixture";
const start = Date.parse("2026-11-28T09:00:00.000Z");

for (let thread = 1; thread <= threads; thread++) {
  const threadId = `${run}-thread-${thread}`;
  let n = 0;
  const emit = (type, payload, extra = {}) => {
    n += 1;
    const createdAt = new Date(start + thread * 1000 + n * 250).toISOString();
    const event = { eventId: `${threadId}-${n}`, type, provider: "codex", threadId, createdAt, ...extra, payload };
    process.stdout.write(`${JSON.stringify(event)}\n`);
  };
  emit("session.started", { message: "codex app-server ready" });
  emit("thread.started", { providerThreadId: `native-${thread}` });
  emit("session.state.changed", { state: "ready" });
  for (let turn = 1; turn <= turns; turn++) {
    const turnId = `turn-${turn}`;
    emit("turn.started", { model: "gpt-5-codex" }, { turnId });
    emit("item.started", { itemType: "command_execution" }, { turnId, itemId: `item-${turn}` });
    emit(
      "request.opened",
      { requestType: "command_execution_approval", detail: "npm test" },
      { turnId, requestId: `req-${turn}` },
    );
    emit(
      "request.resolved",
      { requestType: "command_execution_approval", decision: "accept" },
      { turnId, requestId: `req-${turn}` },
    );
    for (let delta = 0; delta < deltas; delta++) {
      emit(
        "content.delta",
        { streamKind: "assistant_text", delta: `word ${delta} ` },
        { turnId, itemId: `msg-${turn}` },
      );
    }
    emit("item.completed", { itemType: "command_execution", status: "completed" }, { turnId, itemId: `item-${turn}` });
    emit("turn.completed", { state: "completed" }, { turnId });
  }
}
