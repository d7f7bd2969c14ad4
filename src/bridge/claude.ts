/** Claude Code's stream-json mapping (filled in by the Claude slice). */
import type { RunIdentity } from "./common.ts";
import type { ProtocolMapper } from "./live.ts";

export function createClaudeMapper(_run: RunIdentity): ProtocolMapper {
  return { observe: () => ({ ok: true, events: [] }) };
}
