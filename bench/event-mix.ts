/** A realistic provider event stream for load: turns of streamed deltas and items, like a Codex session. */
import type { RuntimeEvent } from "../src/contracts/events.ts";

const TURN_LENGTH = 40;
let counter = 0;

/** `count` new events (fresh ids) for one thread: per 40 events, a turn with deltas, items and a completion. */
export function realisticEvents(threadId: string, count: number): RuntimeEvent[] {
  const events: RuntimeEvent[] = [];
  for (let i = 0; i < count; i += 1) {
    counter += 1;
    const position = counter % TURN_LENGTH;
    const turnId = `turn-${Math.floor(counter / TURN_LENGTH)}`;
    const base = {
      eventId: `bench-${process.pid}-${counter}`,
      provider: "codex",
      threadId,
      createdAt: new Date(1_795_000_000_000 + counter).toISOString(),
      turnId,
    };
    if (position === 0) events.push({ ...base, type: "turn.started", payload: { model: "gpt-5-codex" } });
    else if (position === TURN_LENGTH - 1)
      events.push({ ...base, type: "turn.completed", payload: { state: "completed" } });
    else if (position % 10 === 1)
      events.push({
        ...base,
        itemId: `item-${counter}`,
        type: "item.started",
        payload: { itemType: "command_execution", title: "npm test" },
      });
    else if (position % 10 === 9)
      events.push({
        ...base,
        itemId: `item-${counter - 8}`,
        type: "item.completed",
        payload: { itemType: "command_execution", status: "completed" },
      });
    else {
      events.push({
        ...base,
        itemId: `item-${counter - (position % 10) + 1}`,
        type: "content.delta",
        payload: { streamKind: "assistant_text", delta: "Running the test suite to check the reaper change… " },
      });
    }
  }
  return events;
}
