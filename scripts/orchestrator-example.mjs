// Sends 10,000 events over 50 threads with the forwarder, then reads them back with the client (docs/api.md,
// "Connecting an orchestrator").
import { createClient, createForwarder } from "provider-sessions/client";

const client = createClient({ baseUrl: process.env.BASE_URL ?? "http://localhost:8787", token: "dev-token" });
const forwarder = createForwarder(client, { onRejected: (events, problem) => console.error(problem, events) });
const thread = (n) => `demo-${process.pid}-${n}`;
for (let i = 0; i < 10_000; i++) {
  const event = { eventId: `e${i}`, type: "content.delta", provider: "codex", payload: { delta: `chunk ${i}` } };
  await forwarder.push({ ...event, threadId: thread(i % 50), createdAt: new Date().toISOString() });
}
await forwarder.close();
let read = 0;
for (let n = 0; n < 50; n++) for await (const _entry of client.events(thread(n), { limit: 1000 })) read++;
console.log(forwarder.counters, { read });
