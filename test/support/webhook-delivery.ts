/** What the local webhook receiver (webhook-receiver.ts, in Node) answers per delivery; shared with the workerd tests. */
export interface ReceivedDelivery {
  headers: Record<string, string>;
  body: string;
  verified: boolean;
  status: number;
}
