/** What waits for a person, in words: "1 approval, 2 questions" (empty when nothing does); the CLI and the dashboard print it. */
import type { PendingRequestsView } from "../contracts/replies.ts";

export function pendingText({ pendingRequests }: { pendingRequests: PendingRequestsView }): string {
  const parts: string[] = [];
  if (pendingRequests.approvals > 0) parts.push(plural(pendingRequests.approvals, "approval"));
  if (pendingRequests.userInputs > 0) parts.push(plural(pendingRequests.userInputs, "question"));
  return parts.join(", ");
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
