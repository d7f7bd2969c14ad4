/** The digest that tells a byte-identical resend of an event from a different event under the same eventId. */
import { createHash } from "node:crypto";
import { canonicalJson } from "../contracts/canonical-json.ts";

/** SHA-256 (base64) of the event's canonical JSON; synchronous, so it runs inside the ingest transaction's turn. */
export function eventDigest(event: unknown): string {
  return createHash("sha256").update(canonicalJson(event)).digest("base64");
}
