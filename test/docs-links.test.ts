/**
 * Every relative link in the repository's Markdown files resolves: the file or folder it names
 * exists inside the repository, and a `#anchor` (on its own or after a `.md` file) names a heading
 * of that page, spelt as GitHub spells heading anchors. The README and docs/ link into each other
 * section by section, so a renamed heading or a moved page must fail here rather than on GitHub.
 * Links in fenced code blocks and inline code are not links; http(s) and mailto links are not
 * checked (no network in tests).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'coverage', '.bench']);

function markdownFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) found.push(...markdownFiles(join(dir, entry.name)));
    } else if (entry.name.endsWith('.md')) {
      found.push(join(dir, entry.name));
    }
  }
  return found.sort();
}

/** The text with fenced code blocks blanked (line numbers kept) and inline code removed. */
function proseOnly(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const marker = /^\s*(```|~~~)/.exec(line)?.[1];
    if (fence !== undefined) {
      if (marker === fence) fence = undefined;
      return '';
    }
    if (marker !== undefined) {
      fence = marker;
      return '';
    }
    return line.replace(/(`+)[^`]*?\1/g, '');
  });
}

/** GitHub's anchor for a heading: markup dropped, lower case, punctuation removed, spaces to `-`. */
export function headingSlug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  for (const line of proseOnlyKeepingHeadings(readFileSync(file, 'utf8'))) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = headingSlug(heading);
    const seen = counts.get(slug) ?? 0;
    counts.set(slug, seen + 1);
    anchors.add(seen === 0 ? slug : `${slug}-${seen}`);
  }
  for (const match of readFileSync(file, 'utf8').matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(match[1] ?? '');
  return anchors;
}

/** Like proseOnly, but headings keep their inline code (it is part of the anchor's text). */
function proseOnlyKeepingHeadings(text: string): string[] {
  const prose = proseOnly(text);
  return text.split('\n').map((line, i) => (prose[i] === '' ? '' : line));
}

interface Link {
  file: string;
  line: number;
  target: string;
}

function linksOf(file: string): Link[] {
  const links: Link[] = [];
  proseOnly(readFileSync(file, 'utf8')).forEach((line, i) => {
    for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ file, line: i + 1, target: match[1] ?? '' });
    }
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(line);
    if (definition?.[1] !== undefined) links.push({ file, line: i + 1, target: definition[1] });
  });
  return links;
}

/** Why a link does not resolve, or undefined when it does. */
function brokenReason(link: Link): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) return undefined;
  const [rawPath, anchor] = link.target.split('#', 2) as [string, string | undefined];
  const path = decodeURIComponent(rawPath);
  const target = path === '' ? link.file : resolve(dirname(link.file), path);
  const fromRoot = relative(repoRoot, target);
  if (fromRoot.startsWith('..') || fromRoot.split(sep)[0] === '..') return 'points outside the repository';
  if (!existsSync(target)) return `${fromRoot || '.'} does not exist`;
  if (anchor === undefined || anchor === '') return undefined;
  if (statSync(target).isDirectory() || !target.endsWith('.md')) return `#${anchor} on a file that is not Markdown`;
  return anchorsOf(target).has(decodeURIComponent(anchor)) ? undefined : `${fromRoot} has no heading #${anchor}`;
}

describe('Markdown links', () => {
  it('spells heading anchors as GitHub does', () => {
    assert.equal(headingSlug('`diff` and `apply`: talking to the BIG-IP'), 'diff-and-apply-talking-to-the-big-ip');
    assert.equal(headingSlug('4. Deliberate differences from CIS'), '4-deliberate-differences-from-cis');
    assert.equal(
      headingSlug('Pools: `pools[]`, `defaultPool` and the TransportServer `pool`'),
      'pools-pools-defaultpool-and-the-transportserver-pool',
    );
    assert.equal(headingSlug('VirtualServer (`cis.f5.com/v1`)'), 'virtualserver-cisf5comv1');
  });

  it('finds links outside code and flags missing files, missing anchors and paths out of the repository', () => {
    const file = join(repoRoot, 'README.md');
    assert.equal(brokenReason({ file, line: 1, target: 'docs/no-such-page.md' }), 'docs/no-such-page.md does not exist');
    assert.equal(brokenReason({ file, line: 1, target: '../shared/reference/x.md' }), 'points outside the repository');
    assert.equal(brokenReason({ file, line: 1, target: '#no-such-heading' }), 'README.md has no heading #no-such-heading');
    assert.equal(brokenReason({ file, line: 1, target: 'https://example.com/#x' }), undefined);
    assert.deepEqual(proseOnly('a [x](y.md)\n```\n[z](w.md)\n```\n`[q](r.md)`').join('|'), 'a [x](y.md)||||');
  });

  it("every relative link and anchor in the repository's Markdown files resolves", () => {
    const files = markdownFiles(repoRoot);
    assert.ok(files.some((f) => relative(repoRoot, f) === 'README.md'));
    const broken = files.flatMap(linksOf).flatMap((link) => {
      const reason = brokenReason(link);
      return reason === undefined ? [] : [`${relative(repoRoot, link.file)}:${link.line}: (${link.target}) ${reason}`];
    });
    assert.deepEqual(broken, []);
  });
});
