/**
 * An independent oracle for issue 23's usage rules (docs/usage.md once merged), written from the rules as a log of
 * what each provider session was told, never from src/domain/usage*.ts, so a bug planted there cannot also be here.
 * It imports nothing from src: its types only have the same shape as the domain's.
 *
 * The rules, as kept here:
 * 1. A running total is the provider session's figure so far: the latest one stands, reports are never added.
 * 2. A new provider session, or a running total (a token kind or the cost) lower than the last one, starts counting
 *    again in a new segment; the old segments keep their figures; the session's figure is the segments' sum.
 * 3. An increment (one call's or one turn's usage) counts once per key; the same key again adds only what grew.
 *    A running total stands for all of its segment's usage before it, increments included (a report's own increment
 *    comes before its total): a kind's tokens become the total, or what was counted before if that was more; the
 *    increments after it add to it.
 * 4. A report whose running figures are all zero tells nothing (Claude's crash and start-up results).
 * 5. The context window is the last reported `used` and `max`, each kept until reported again.
 * 6. Cost: the provider's running cost of a segment stands for all of the segment's usage up to it; tokens added
 *    without it wait for a price, recorded once; priced figures since the provider's last figure add to it; tokens
 *    left unpriced (not-priced, or no price recorded before the next report) make the cost unknown (null, never 0)
 *    until the provider's next figure for that segment covers them.
 */

const KINDS = [
  "inputTokens",
  "cacheReadInputTokens",
  "cacheCreationInputTokens",
  "outputTokens",
  "reasoningOutputTokens",
] as const;
type Kind = (typeof KINDS)[number];
type Tokens = Record<Kind, number>;
type Confidence = "exact" | "high" | "medium" | "low";

export interface OracleObservation {
  model: string | null;
  totals: Partial<Tokens> | null;
  increment: { key: string; tokens: Partial<Tokens> } | null;
  providerCost: { usd: number; confidence: Confidence } | null;
  contextWindow: { used: number | null; max: number | null } | null;
}

export type OracleCharge =
  | { source: "builtin-pricing"; costUsd: number; confidence: Confidence; pricingVersion: string; model: string }
  | { source: "not-priced"; model: string | null };

export type OracleStep =
  | { kind: "report"; observation: OracleObservation; session: string | null }
  | { kind: "price"; charge: OracleCharge };

type CostEntry =
  | { kind: "provider"; usd: number; confidence: Confidence }
  | { kind: "priced"; usd: number; confidence: Confidence; pricingVersion: string; model: string }
  | { kind: "unpriced" };

interface Segment {
  session: string | null;
  /** The latest running total of each kind. */
  latest: Tokens;
  /** A kind's tokens when its last running total came. */
  atTotal: Tokens;
  /** What increments added since. */
  afterTotal: Tokens;
  costs: CostEntry[];
}

export interface OracleView {
  inputTokens: number;
  cachedInputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
  contextWindow: { used: number; max: number | null } | null;
  costUsd: number | null;
  cost: { source: string; confidence: Confidence; pricingVersion: string | null; model: string | null } | null;
}

const zero = (): Tokens => ({
  inputTokens: 0,
  cacheReadInputTokens: 0,
  cacheCreationInputTokens: 0,
  outputTokens: 0,
  reasoningOutputTokens: 0,
});
const RANK: Record<Confidence, number> = { exact: 0, high: 1, medium: 2, low: 3 };
const lowest = (values: Confidence[]): Confidence | null =>
  values.length === 0 ? null : values.reduce((a, b) => (RANK[b] > RANK[a] ? b : a));

export class UsageOracle {
  private readonly segments: Segment[] = [newSegment(null)];
  private readonly seen = new Map<string, Tokens>();
  private waiting: Tokens | null = null;
  private model: string | null = null;
  private used: number | null = null;
  private max: number | null = null;

  /** What the last report added that waits for a price, or null. */
  get pending(): { model: string | null; tokens: Tokens } | null {
    return this.waiting === null ? null : { model: this.model, tokens: { ...this.waiting } };
  }

  step(step: OracleStep): void {
    if (step.kind === "report") this.report(step.observation, step.session);
    else this.price(step.charge);
  }

  private get segment(): Segment {
    const last = this.segments.at(-1);
    if (last === undefined) throw new Error("no segment");
    return last;
  }

  private report(observation: OracleObservation, session: string | null): void {
    if (this.waiting !== null) this.segment.costs.push({ kind: "unpriced" });
    this.waiting = null;
    const figures = [...Object.values(observation.totals ?? {}), observation.providerCost?.usd ?? 0];
    const tellsSomething = figures.some((figure) => figure !== 0);
    const totals = tellsSomething ? observation.totals : null;
    const cost = tellsSomething ? observation.providerCost : null;
    const current = this.segment;
    const lastProvider = current.costs.filter((entry) => entry.kind === "provider").at(-1);
    const otherSession = session !== null && current.session !== null && session !== current.session;
    const tokensDrop = KINDS.some((kind) => totals?.[kind] !== undefined && totals[kind] < current.latest[kind]);
    const costDrops = cost !== null && lastProvider !== undefined && cost.usd < lastProvider.usd;
    if (otherSession || tokensDrop || costDrops) {
      this.segments.push(newSegment(session));
    } else if (current.session === null) {
      current.session = session;
    }
    const segment = this.segment;
    const before = segmentTokens(segment);
    if (observation.increment !== null) {
      const { key, tokens } = observation.increment;
      const earlier = this.seen.get(key) ?? zero();
      const now = zero();
      for (const kind of KINDS) {
        now[kind] = Math.max(earlier[kind], tokens[kind] ?? 0);
        segment.afterTotal[kind] += now[kind] - earlier[kind];
      }
      this.seen.set(key, now);
    }
    if (totals !== null) {
      const counted = segmentTokens(segment);
      for (const kind of KINDS) {
        segment.latest[kind] = totals[kind] ?? segment.latest[kind];
        segment.atTotal[kind] = Math.max(segment.latest[kind], counted[kind]);
        segment.afterTotal[kind] = 0;
      }
    }
    if (cost !== null) segment.costs.push({ kind: "provider", usd: cost.usd, confidence: cost.confidence });
    const after = segmentTokens(segment);
    const grew = KINDS.some((kind) => after[kind] > before[kind]);
    if (cost === null && grew) {
      this.waiting = zero();
      for (const kind of KINDS) this.waiting[kind] = after[kind] - before[kind];
    }
    if (observation.model !== null) this.model = observation.model;
    if (observation.contextWindow !== null) {
      this.used = observation.contextWindow.used ?? this.used;
      this.max = observation.contextWindow.max ?? this.max;
    }
  }

  private price(charge: OracleCharge): void {
    if (this.waiting === null) return;
    this.waiting = null;
    const usable = charge.source === "builtin-pricing" && Number.isFinite(charge.costUsd) && charge.costUsd >= 0;
    this.segment.costs.push(
      usable
        ? {
            kind: "priced",
            usd: charge.costUsd,
            confidence: charge.confidence,
            pricingVersion: charge.pricingVersion,
            model: charge.model,
          }
        : { kind: "unpriced" },
    );
  }

  tokens(): Tokens {
    const total = zero();
    for (const segment of this.segments) {
      const tokens = segmentTokens(segment);
      for (const kind of KINDS) total[kind] += tokens[kind];
    }
    return total;
  }

  costUsd(): number | null {
    if (this.waiting !== null) return null;
    let total = 0;
    for (const segment of this.segments) {
      const inEffect = costsInEffect(segment);
      if (inEffect.some((entry) => entry.kind === "unpriced")) return null;
      for (const entry of inEffect) if (entry.kind !== "unpriced") total += entry.usd;
    }
    return total;
  }

  view(): OracleView {
    const tokens = this.tokens();
    const costUsd = this.costUsd();
    const inEffect = this.segments.flatMap(costsInEffect);
    const priced = inEffect.flatMap((entry) => (entry.kind === "priced" ? [entry] : []));
    const provided = inEffect.flatMap((entry) => (entry.kind === "provider" ? [entry.confidence] : []));
    const lastPriced = priced.at(-1);
    const model = lastPriced?.model ?? this.model;
    const pricingVersion = lastPriced?.pricingVersion ?? null;
    let cost: OracleView["cost"] = null;
    if (costUsd === null) cost = { source: "not-priced", confidence: "low", pricingVersion, model };
    else if (lastPriced !== undefined) {
      const confidence = lowest([...priced.map((entry) => entry.confidence), ...provided]) ?? "low";
      cost = { source: "builtin-pricing", confidence, pricingVersion, model };
    } else if (provided.length > 0) {
      cost = { source: "provider", confidence: lowest(provided) ?? "low", pricingVersion: null, model };
    }
    return {
      inputTokens: tokens.inputTokens,
      cachedInputTokens: tokens.cacheReadInputTokens,
      cacheCreationInputTokens: tokens.cacheCreationInputTokens,
      cacheReadInputTokens: tokens.cacheReadInputTokens,
      outputTokens: tokens.outputTokens,
      reasoningOutputTokens: tokens.reasoningOutputTokens,
      contextWindow: this.used === null ? null : { used: this.used, max: this.max },
      costUsd,
      cost,
    };
  }
}

function newSegment(session: string | null): Segment {
  return { session, latest: zero(), atTotal: zero(), afterTotal: zero(), costs: [] };
}

function segmentTokens(segment: Segment): Tokens {
  const tokens = zero();
  for (const kind of KINDS) tokens[kind] = segment.atTotal[kind] + segment.afterTotal[kind];
  return tokens;
}

/** The provider's last figure of a segment and what came after it: what was before it, it stands for. */
function costsInEffect(segment: Segment): CostEntry[] {
  const lastProvider = segment.costs.map((entry) => entry.kind).lastIndexOf("provider");
  return lastProvider === -1 ? segment.costs : segment.costs.slice(lastProvider);
}
