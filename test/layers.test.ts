/**
 * The layer rule of docs/architecture.md: the lint configuration enforces the direction of imports
 * (eslint.config.mjs `LAYERS`); this test checks what lint cannot: no cycle among src/ files (type
 * imports included), every folder in a layer, and the page listing the same layers as the config.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { repoRoot } from './support/as3-validation.js';

const SRC = join(repoRoot, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Relative imports and re-exports of a file (type-only ones too), as absolute .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)[^'"]*?from '(\.\.?\/[^']+)'/gm)) {
    out.push(normalize(join(dirname(file), (m[1] as string).replace(/\.js$/, '.ts'))));
  }
  return out;
}

/** The cycles of the import graph (strongly connected components of more than one file). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
      onStack.delete(w);
      component.push(relative(repoRoot, w));
      if (w === v) break;
    }
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('layers (docs/architecture.md)', () => {
  let layers: string[][];
  before(async () => {
    ({ LAYERS: layers } = (await import(join(repoRoot, 'eslint.config.mjs'))) as { LAYERS: string[][] });
  });

  it('no files of src/ import each other in a cycle, type imports included', () => {
    const graph = new Map(sourceFiles(SRC).map((f) => [f, importsOf(f)]));
    assert.ok(graph.size > 100, `only ${graph.size} source files found`);
    assert.deepEqual(cycles(graph), []);
  });

  it('every folder of src/ is in exactly one layer', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    assert.deepEqual([...layers.flat()].sort(), folders);
  });

  it('docs/architecture.md lists the layers of eslint.config.mjs, in order', () => {
    const page = readFileSync(join(repoRoot, 'docs', 'architecture.md'), 'utf8');
    const block = /<!-- layers:start -->\n([\s\S]*?)<!-- layers:end -->/.exec(page)?.[1] ?? '';
    const listed = block
      .split('\n')
      .filter((l) => /^\d+\. /.test(l))
      .map((l) => [...(l.split(':')[0] ?? '').matchAll(/`([a-z-]+)`/g)].map((m) => m[1] as string));
    assert.deepEqual(listed, layers);
  });
});
