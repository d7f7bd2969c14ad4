/**
 * A session's usage by UTC day, provider and model: what it sends the tenant's directory, which sums the buckets of
 * every session into the tenant's rollups. Each bucket is absolute (the directory upserts it, so a resend changes
 * nothing) and records the seq of its last change, so only the changed ones are sent again.
 */
import { utcDay } from "../contracts/days.ts";
import { ledgerFigures, type UsageLedger } from "./usage.ts";
import { addTokens, NO_TOKENS, subtractTokens, type TokenCounts, tokenTotal } from "./usage-tokens.ts";

export interface UsageBucket {
  /** UTC day the usage arrived, `YYYY-MM-DD`. */
  day: string;
  provider: string;
  model: string | null;
  tokens: TokenCounts;
  /** The part of the cost that is known: the provider's figures and the prices logged. */
  knownCostUsd: number;
  /** Tokens with no price: the bucket's cost is known only when this is 0. */
  unpricedTokens: number;
  /** The seq of the entry that last changed it. */
  seq: number;
}

/**
 * The buckets after an entry moved the ledger from `before` to `after`: what it added goes to the bucket of the day
 * it arrived, its provider and the ledger's model. The same array when nothing was added.
 */
export function bucketsAfter(
  buckets: readonly UsageBucket[],
  before: UsageLedger,
  after: UsageLedger,
  where: { at: number; provider: string; seq: number },
): readonly UsageBucket[] {
  if (before === after) return buckets;
  const was = ledgerFigures(before);
  const is = ledgerFigures(after);
  const tokens = subtractTokens(is.tokens, was.tokens);
  const knownCostUsd = is.knownCostUsd - was.knownCostUsd;
  const unpricedTokens = is.unpricedTokens - was.unpricedTokens;
  if (tokenTotal(tokens) === 0 && knownCostUsd === 0 && unpricedTokens === 0) return buckets;
  const day = utcDay(where.at);
  const model = after.model;
  const index = buckets.findIndex(
    (bucket) => bucket.day === day && bucket.provider === where.provider && bucket.model === model,
  );
  const current = buckets[index] ?? {
    day,
    provider: where.provider,
    model,
    tokens: NO_TOKENS,
    knownCostUsd: 0,
    unpricedTokens: 0,
    seq: 0,
  };
  const next: UsageBucket = {
    ...current,
    tokens: addTokens(current.tokens, tokens),
    knownCostUsd: current.knownCostUsd + knownCostUsd,
    unpricedTokens: Math.max(0, current.unpricedTokens + unpricedTokens),
    seq: where.seq,
  };
  const updated = index < 0 ? [...buckets, next] : buckets.map((bucket, at) => (at === index ? next : bucket));
  // A provider's running cost covers tokens counted without a price before, in other buckets too: they are priced now.
  const uncovered = -(current.unpricedTokens + unpricedTokens);
  return uncovered > 0 ? coverUnpriced(updated, uncovered, where.seq) : updated;
}

/** Takes `count` unpriced tokens off the buckets, the latest first. */
function coverUnpriced(buckets: readonly UsageBucket[], count: number, seq: number): readonly UsageBucket[] {
  let left = count;
  const covered = [...buckets];
  for (let index = covered.length - 1; index >= 0 && left > 0; index -= 1) {
    const bucket = covered[index];
    if (bucket === undefined || bucket.unpricedTokens === 0) continue;
    const taken = Math.min(left, bucket.unpricedTokens);
    covered[index] = { ...bucket, unpricedTokens: bucket.unpricedTokens - taken, seq };
    left -= taken;
  }
  return covered;
}

/** The buckets changed after `seq`: what the directory has not been sent yet. */
export function bucketsSince(buckets: readonly UsageBucket[], seq: number): UsageBucket[] {
  return buckets.filter((bucket) => bucket.seq > seq);
}
