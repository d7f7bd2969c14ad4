/** Fails (exit 1, each dead link as file:line) when a relative link or image of README.md or docs/*.md has no target. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const root = join(import.meta.dirname, "..");
const files = [
  join(root, "README.md"),
  ...readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => join(root, "docs", name)),
];

/** A fence opens with three or more backticks or tildes (indented at most 3 spaces) and closes with at least as many. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** `](target)` or `](target "title")`, the end of an inline link or image; `<target>` may hold spaces. */
const INLINE = /\]\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
/** `[label]: target`, a reference definition. */
const DEFINITION = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/;
const SKIPPED = /^(https?:|mailto:)/i;

interface Line {
  number: number;
  /** The line as written. */
  raw: string;
  /** The line with its inline code spans blanked: a link there is not rendered. */
  text: string;
}

/** The lines outside fenced code blocks. */
function prose(text: string): Line[] {
  const lines: Line[] = [];
  let fence: string | null = null;
  text.split(/\r?\n/).forEach((line, index) => {
    const marker = FENCE.exec(line)?.[1];
    if (fence === null && marker !== undefined) {
      fence = marker;
    } else if (fence !== null) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker)
        fence = null;
    } else {
      const text = line.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, (span) => " ".repeat(span.length));
      lines.push({ number: index + 1, raw: line, text });
    }
  });
  return lines;
}

/** GitHub's slug of a heading's text: lowercase, only letters, digits, spaces, hyphens and underscores, spaces to hyphens. */
function slug(heading: string): string {
  const text = heading
    .replace(/(`+)([\s\S]*?)\1|<\/?[A-Za-z][^>]*>/g, (_tag, _ticks, code: string | undefined) => code ?? "")
    .replace(/!\[[^\]]*\]\([^)]*\)/g, "")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

const anchorCache = new Map<string, Set<string>>();

/** The anchors of a markdown file: its headings' slugs (a repeated one gets -1, -2, …) and any explicit id or name. */
function anchors(file: string): Set<string> {
  const cached = anchorCache.get(file);
  if (cached !== undefined) return cached;
  const found = new Set<string>();
  const seen = new Map<string, number>();
  const add = (heading: string) => {
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  };
  const lines = prose(readFileSync(file, "utf8"));
  lines.forEach(({ number, raw }, index) => {
    const atx = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(raw);
    if (atx !== null) add(atx[1] ?? "");
    const previous = lines[index - 1];
    const underlined =
      /^ {0,3}(=+|-+)[ \t]*$/.test(raw) &&
      previous !== undefined &&
      previous.number === number - 1 &&
      previous.raw.trim() !== "" &&
      !/^ {0,3}(#|[-*+] |\d+[.)] |>|\|)/.test(previous.raw);
    if (underlined) add(previous.raw.trim());
    for (const match of raw.matchAll(/<a\s[^>]*\b(?:id|name)="([^"]+)"/gi)) if (match[1]) found.add(match[1]);
  });
  anchorCache.set(file, found);
  return found;
}

function decoded(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** Why a link from `file` to `target` is dead, or null when it resolves. */
function deadness(file: string, target: string): string | null {
  const hash = target.indexOf("#");
  const path = decoded(hash === -1 ? target : target.slice(0, hash));
  const anchor = hash === -1 ? "" : decoded(target.slice(hash + 1));
  if (path === null || anchor === null) return "malformed percent-encoding";
  const resolved = path === "" ? file : join(dirname(file), path.split("?")[0] ?? "");
  if (!existsSync(resolved)) return "no such file";
  if (anchor === "" || !resolved.endsWith(".md") || statSync(resolved).isDirectory()) return null;
  return anchors(resolved).has(anchor) ? null : `no heading #${anchor} in ${relative(root, resolved)}`;
}

const dead: string[] = [];
let checked = 0;
for (const file of files) {
  for (const { number, text } of prose(readFileSync(file, "utf8"))) {
    const targets = [...text.matchAll(INLINE)].map((match) => match[1] ?? "");
    const definition = DEFINITION.exec(text)?.[1];
    if (definition !== undefined) targets.push(definition);
    for (const raw of targets) {
      const target = raw.startsWith("<") ? raw.slice(1, -1) : raw;
      if (target === "" || SKIPPED.test(target)) continue;
      checked += 1;
      const reason = deadness(file, target);
      if (reason !== null) dead.push(`${relative(root, file)}:${number}: ${target} (${reason})`);
    }
  }
}

if (dead.length > 0) {
  console.error(`${dead.length} dead link${dead.length === 1 ? "" : "s"}:\n${dead.join("\n")}`);
  process.exit(1);
}
console.log(`check-links: ${checked} relative links in ${files.length} files, none dead`);
