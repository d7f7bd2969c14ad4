/** Token counts by kind, and the arithmetic the usage ledger does on them, kind by kind. */

export const TOKEN_KINDS = [
  "inputTokens",
  "cacheReadInputTokens",
  "cacheCreationInputTokens",
  "outputTokens",
  "reasoningOutputTokens",
] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/**
 * Tokens by kind. `inputTokens` counts every prompt token, cache reads and writes included (T3 Code's and OpenAI's
 * convention; Anthropic's `input_tokens` leaves them out, so its normaliser adds them back); `outputTokens` counts
 * every generated token, reasoning included. The cache and reasoning kinds are parts of those two, never added to them.
 */
export type TokenCounts = Readonly<Record<TokenKind, number>>;

export const NO_TOKENS: TokenCounts = {
  inputTokens: 0,
  cacheReadInputTokens: 0,
  cacheCreationInputTokens: 0,
  outputTokens: 0,
  reasoningOutputTokens: 0,
};

function combine(a: TokenCounts, b: TokenCounts, by: (x: number, y: number) => number): TokenCounts {
  return {
    inputTokens: by(a.inputTokens, b.inputTokens),
    cacheReadInputTokens: by(a.cacheReadInputTokens, b.cacheReadInputTokens),
    cacheCreationInputTokens: by(a.cacheCreationInputTokens, b.cacheCreationInputTokens),
    outputTokens: by(a.outputTokens, b.outputTokens),
    reasoningOutputTokens: by(a.reasoningOutputTokens, b.reasoningOutputTokens),
  };
}

export function addTokens(a: TokenCounts, b: TokenCounts): TokenCounts {
  return combine(a, b, (x, y) => x + y);
}

/** What `a` has beyond `b`, kind by kind (never below zero). */
export function subtractTokens(a: TokenCounts, b: TokenCounts): TokenCounts {
  return combine(a, b, (x, y) => Math.max(0, x - y));
}

/** The larger of two reports of the same usage, kind by kind. */
export function widerTokens(a: TokenCounts, b: TokenCounts): TokenCounts {
  return combine(a, b, Math.max);
}

/** Every token once: the parts (cache, reasoning) are inside input and output, which are at least their parts. */
export function tokenTotal(tokens: TokenCounts): number {
  const input = Math.max(tokens.inputTokens, tokens.cacheReadInputTokens + tokens.cacheCreationInputTokens);
  return input + Math.max(tokens.outputTokens, tokens.reasoningOutputTokens);
}
