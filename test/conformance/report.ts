/**
 * Compares a conformance run (vitest's JSON report) with the checked-in classification (not-applicable.ts) and says
 * it in words: the summary for the terminal, and results.md for the docs.
 */

/** What vitest's JSON reporter writes, as far as it is read here. */
export interface VitestReport {
  testResults: {
    assertionResults: {
      ancestorTitles: string[];
      title: string;
      status: string;
      failureMessages?: string[];
      duration?: number | null;
    }[];
  }[];
}

export type Verdict =
  | "pass"
  | "pass without the service"
  | "not applicable"
  | "unexpected failure"
  | "listed but passed"
  | "skipped";

export interface CaseRow {
  block: string;
  title: string;
  key: string;
  verdict: Verdict;
  /** The classification's reason for a listed case, or why a pass did not check the service. */
  reason: string | null;
  /** The first assertion message of a failed case. */
  failure: string | null;
}

export const KEY_SEPARATOR = " > ";

export function caseKey(ancestors: readonly string[], title: string): string {
  return [...ancestors, title].join(KEY_SEPARATOR);
}

/** The keys of some cases of one describe block (`A > B` for a nested one), each with its note. */
export function block(name: string, cases: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(cases).map(([title, note]) => [`${name}${KEY_SEPARATOR}${title}`, note]));
}

export function classify(
  report: VitestReport,
  notApplicable: Readonly<Record<string, string>>,
  vacuous: Readonly<Record<string, string>>,
): CaseRow[] {
  const rows: CaseRow[] = [];
  for (const file of report.testResults) {
    for (const result of file.assertionResults) {
      const key = caseKey(result.ancestorTitles, result.title);
      const reason = notApplicable[key] ?? null;
      const failure = result.status === "failed" ? firstLine(result.failureMessages?.[0] ?? "failed") : null;
      const verdict = verdictOf(result.status, reason !== null);
      const without = verdict === "pass" ? (vacuous[key] ?? null) : null;
      rows.push({
        block: result.ancestorTitles.join(KEY_SEPARATOR),
        title: result.title,
        key,
        verdict: without === null ? verdict : "pass without the service",
        reason: without ?? reason,
        failure,
      });
    }
  }
  return rows;
}

function verdictOf(status: string, listed: boolean): Verdict {
  if (status === "passed") return listed ? "listed but passed" : "pass";
  if (status === "failed") return listed ? "not applicable" : "unexpected failure";
  return "skipped";
}

/** Listed cases the run did not have at all (renamed or removed by a new suite version). */
export function unknownListed(rows: readonly CaseRow[], ...lists: Readonly<Record<string, string>>[]): string[] {
  const seen = new Set(rows.map((row) => row.key));
  return lists.flatMap((list) => Object.keys(list)).filter((key) => !seen.has(key));
}

function firstLine(message: string): string {
  const line = message.split("\n").find((text) => text.trim() !== "") ?? message;
  return line.trim();
}

export interface Counts {
  total: number;
  /** Passes, those without the service included. */
  pass: number;
  vacuous: number;
  notApplicable: number;
  unexpected: number;
  stale: number;
  skipped: number;
}

export function countsOf(rows: readonly CaseRow[]): Counts {
  const count = (verdict: Verdict) => rows.filter((row) => row.verdict === verdict).length;
  return {
    total: rows.length,
    pass: count("pass") + count("pass without the service"),
    vacuous: count("pass without the service"),
    notApplicable: count("not applicable"),
    unexpected: count("unexpected failure"),
    stale: count("listed but passed"),
    skipped: count("skipped"),
  };
}

export function summaryText(rows: readonly CaseRow[], seconds: number): string {
  const counts = countsOf(rows);
  const lines = [
    `conformance: ${counts.total} cases in ${seconds.toFixed(0)} s: ${counts.pass} passed ` +
      `(${counts.vacuous} without checking the service), ` +
      `${counts.notApplicable} not applicable (failed as expected), ${counts.unexpected} unexpected failures` +
      (counts.stale > 0 ? `, ${counts.stale} listed as not applicable but passed` : "") +
      (counts.skipped > 0 ? `, ${counts.skipped} skipped` : ""),
  ];
  for (const row of rows.filter((candidate) => candidate.verdict === "unexpected failure")) {
    lines.push(`  UNEXPECTED FAILURE  ${row.key}\n      ${row.failure ?? ""}`);
  }
  for (const row of rows.filter((candidate) => candidate.verdict === "listed but passed")) {
    lines.push(`  listed but passed (the list is stale)  ${row.key}`);
  }
  return lines.join("\n");
}

/** results.md: the counts per describe block, then every case with its verdict and reason. */
export function resultsMarkdown(
  rows: readonly CaseRow[],
  meta: { suite: string; date: string; seconds: number; byteStreams: boolean },
) {
  const blocks = [...new Set(rows.map((row) => row.block))];
  const counts = countsOf(rows);
  const out = [
    "# Durable Streams conformance of the session log",
    "",
    `Written by \`npm run conformance${meta.byteStreams ? " -- --byte-streams" : ""}\` (test/conformance/run.ts) on ` +
      `${meta.date}: ${meta.suite} against`,
    "`GET /v1/sessions/{threadId}/log` through the test-only adapter test/conformance/adapter.ts, in " +
      `${meta.seconds.toFixed(0)} s. Not applicable means listed in test/conformance/not-applicable.ts with its ` +
      "reason, and failing as expected. Writes go through the adapter (the service has no write path of the " +
      "protocol), so the answers to PUT and POST are the adapter's; a pass without the service is one listed in " +
      "test/conformance/vacuous-passes.ts, with why." +
      (meta.byteStreams
        ? " With byte streams the adapter also keeps other content types (as bytes in events), so the cases " +
          "listed only for their content type run too: see test/conformance/README.md."
        : ""),
    "",
    `**${counts.total} cases: ${counts.pass} pass (${counts.vacuous} of them without checking the service), ` +
      `${counts.notApplicable} not applicable, ${counts.unexpected} ` +
      `unexpected failures${counts.stale > 0 ? `, ${counts.stale} listed but passed` : ""}` +
      `${counts.skipped > 0 ? `, ${counts.skipped} skipped` : ""}.**`,
    "",
    "| describe block | pass | of which without the service | not applicable | unexpected failure | skipped |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const block of blocks) {
    const inBlock = countsOf(rows.filter((row) => row.block === block));
    out.push(
      `| ${cell(block)} | ${inBlock.pass + inBlock.stale} | ${inBlock.vacuous} | ${inBlock.notApplicable} | ` +
        `${inBlock.unexpected} | ${inBlock.skipped} |`,
    );
  }
  for (const block of blocks) {
    out.push("", `## ${block}`, "", "| case | result | reason or failure |", "| --- | --- | --- |");
    for (const row of rows.filter((candidate) => candidate.block === block)) {
      const note = row.verdict === "unexpected failure" ? row.failure : row.reason;
      out.push(`| ${cell(row.title)} | ${row.verdict} | ${cell(note ?? "")} |`);
    }
  }
  return `${out.join("\n")}\n`;
}

function cell(text: string): string {
  const flat = text.replace(/\s+/g, " ").replace(/\|/g, "\\|");
  return flat.length > 240 ? `${flat.slice(0, 239)}…` : flat;
}
