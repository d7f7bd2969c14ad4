/** Server-Sent Events text. */

const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * One event: its name and data (and an id to resume from). Every line of the data gets its own `data:` field:
 * events are kept as sent, and a sender's pretty-printed JSON has line breaks, which would otherwise end the field
 * (SSE joins the lines back with "\n", JSON whitespace like the "\r\n" or "\r" it replaces). The space after
 * `data:` is optional in SSE; the Durable Streams reads leave it out, as the protocol's reference server does.
 */
export function sseEvent(name: string, data: string, id: string | null = null, space = " "): string {
  const field = `data:${space}`;
  const fields = data.includes("\n") || data.includes("\r") ? data.replace(LINE_BREAK, `\n${field}`) : data;
  return `event: ${name}\n${id === null ? "" : `id: ${id}\n`}${field}${fields}\n\n`;
}
