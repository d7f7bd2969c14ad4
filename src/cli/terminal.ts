/** What the commands write to, and how they dress it: colour only on a terminal, and never when NO_COLOR is set. */
import type { SessionStatus } from "../contracts/vocabulary.ts";

export interface Stream {
  write(text: string): void;
  /** A terminal gets colour and a redrawn progress line; a pipe or a file gets plain lines. */
  readonly isTTY: boolean;
  readonly columns?: number;
}

export interface Style {
  readonly colour: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  cyan(text: string): string;
  magenta(text: string): string;
}

export function styleFor(stream: Stream, env: Readonly<Record<string, string | undefined>>): Style {
  const colour = stream.isTTY && env.NO_COLOR === undefined && env.TERM !== "dumb";
  const sgr = (open: number, close: number) => (text: string) =>
    colour ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    colour,
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    blue: sgr(34, 39),
    magenta: sgr(35, 39),
    cyan: sgr(36, 39),
  };
}

/** The status word in its colour; the word is always there, so the colour is never the only signal. */
export function statusText(status: SessionStatus, style: Style): string {
  switch (status) {
    case "starting":
      return style.cyan(status);
    case "running":
      return style.blue(status);
    case "ready":
      return style.green(status);
    case "error":
      return style.red(status);
    case "interrupted":
      return style.yellow(status);
    default:
      return style.dim(status);
  }
}

/** `12s`, `5m`, `3h 4m`, `2d 1h`: the two largest units are enough to read at a glance. */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days}d` : `${days}d ${hours % 24}h`;
}

/** `12s ago` or `in 5m` from the reader's clock; an unparsable or missing time is a dash. */
export function relative(at: string | null, now: number): string {
  if (at === null) return "—";
  const time = Date.parse(at);
  if (Number.isNaN(time)) return "—";
  const delta = time - now;
  if (Math.abs(delta) < 1000) return "now";
  return delta < 0 ? `${duration(-delta)} ago` : `in ${duration(delta)}`;
}

/** Strips the colour codes: a column's width is what the eye sees. */
function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the SGR escape is the thing matched
  return text.replace(/\u001b\[\d+m/g, "").length;
}

/** Left-aligned columns two spaces apart; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], style: Style): string {
  const widths = header.map((title, column) =>
    Math.max(visibleLength(title), ...rows.map((row) => visibleLength(row[column] ?? ""))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell + " ".repeat((widths[column] ?? 0) - visibleLength(cell)),
      )
      .join("  ")
      .trimEnd();
  return [style.bold(line(header)), ...rows.map(line)].map((text) => `${text}\n`).join("");
}

export function bytes(count: number): string {
  if (count < 1024) return `${count} B`;
  if (count < 1024 * 1024) return `${(count / 1024).toFixed(1)} KiB`;
  return `${(count / 1024 / 1024).toFixed(1)} MiB`;
}
