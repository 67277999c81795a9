/** Markdown structure of a page for docs.spec.ts: fenced code blocks, inline code, relative links and heading anchors. */


export interface CodeBlock {
  /** Info string's first word, lower case ('' when none). */
  lang: string;
  /** 1-based line of the first content line. */
  firstLine: number;
  lines: string[];
}

export interface MarkdownParts {
  blocks: CodeBlock[];
  /** Lines outside fenced code blocks, with their 1-based numbers (prose, tables, headings). */
  prose: { line: number; text: string }[];
}

/** Split a page into fenced code blocks and the rest (CommonMark fences: ``` or ~~~, 3 or more). */
export function splitMarkdown(text: string): MarkdownParts {
  const lines = text.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  const prose: { line: number; text: string }[] = [];
  let open: { char: string; len: number; block: CodeBlock } | undefined;
  lines.forEach((line, i) => {
    const fence = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)?.*$/.exec(line);
    if (open) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1]![0] === open.char && close[1]!.length >= open.len) {
        blocks.push(open.block);
        open = undefined;
      } else {
        open.block.lines.push(line);
      }
      return;
    }
    if (fence) {
      const marker = fence[1]!;
      open = { char: marker[0]!, len: marker.length, block: { lang: (fence[2] ?? '').toLowerCase(), firstLine: i + 2, lines: [] } };
      return;
    }
    prose.push({ line: i + 1, text: line });
  });
  if (open) blocks.push(open.block); // unclosed fence: CommonMark runs it to the end of the page
  return { blocks, prose };
}

/** Inline code spans of one prose line (backtick strings of equal length). */
export function inlineCodeSpans(line: string): string[] {
  const spans: string[] = [];
  const re = /(`+)([\s\S]*?[^`])\1(?!`)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) spans.push(m[2]!.trim());
  return spans;
}


export interface DocLink {
  line: number;
  target: string;
}

/** Relative links of a page: [text](target), ![alt](target), [id]: target, href="..." and src="...". */
export function relativeLinks(text: string): DocLink[] {
  const { prose } = splitMarkdown(text);
  const links: DocLink[] = [];
  for (const { line, text: raw } of prose) {
    // Inline code is no link; blank it out but keep the brackets around it.
    const l = raw.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (m) => 'x'.repeat(m.length));
    const targets: string[] = [];
    for (const m of l.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) targets.push(m[1]!);
    const def = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(l);
    if (def) targets.push(def[1]!);
    for (const m of l.matchAll(/\b(?:href|src)="([^"]+)"/g)) targets.push(m[1]!);
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
      links.push({ line, target });
    }
  }
  return links;
}

/** GitHub's anchors for the headings of a page (github-slugger rules, duplicates numbered). */
export function headingAnchors(text: string): Set<string> {
  const { prose } = splitMarkdown(text);
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { text: l } of prose) {
    const h = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(l);
    const explicit = [...l.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)].map((m) => m[1]!);
    explicit.forEach((a) => anchors.add(a));
    if (!h) continue;
    const plain = h[1]!
      .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(plain) ?? 0;
    seen.set(plain, count + 1);
    anchors.add(count === 0 ? plain : `${plain}-${count}`);
  }
  return anchors;
}
