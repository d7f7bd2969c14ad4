/**
 * A local receiver for reap notifications: verifies each Standard Webhooks signature and prints the body.
 * Usage: WEBHOOK_SECRET=whsec_... node scripts/webhook-receiver.ts [port]   (default port 8788)
 */
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";

const secret = process.env.WEBHOOK_SECRET;
if (secret === undefined || !secret.startsWith("whsec_")) {
  console.error("Set WEBHOOK_SECRET to the same whsec_ secret the service uses.");
  process.exit(2);
}
const verifier = new Webhook(secret);
const port = Number(process.argv[2] ?? 8788);

createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    try {
      const payload = verifier.verify(body, headers);
      console.log(JSON.stringify({ verified: true, webhookId: headers["webhook-id"], payload }));
      response.writeHead(204).end();
    } catch (error) {
      console.log(JSON.stringify({ verified: false, error: String(error), body }));
      response.writeHead(401).end();
    }
  });
}).listen(port, "127.0.0.1", () => console.error(`listening on http://127.0.0.1:${port}`));
