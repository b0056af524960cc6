/**
 * `-f -` and `--cluster NAME=-`: objects from standard input, JSON or YAML, as piped from
 * `kubectl get vs,ts,svc,endpointslices,nodes -A -o json` (issue 16, item 3). The binary is run
 * with a real pipe; the other cases run in-process with the text given as standard input.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './support/as3-validation.js';
import { runCliCaptured } from './support/run-cli.js';

const example = join(repoRoot, 'examples', 'single-cluster');
const exampleConfig = join(example, 'kube-as3.yaml');
const manifests = ['apps.yaml', 'cluster.yaml', 'virtualservers.yaml'].map((f) => readFileSync(join(example, f), 'utf8'));

/** What `kubectl get … -A -o json` prints: one List, each item with the API server's additions. */
function kubectlJson(objects: unknown[]): string {
  const items = objects.map((o, i) => {
    const obj = structuredClone(o) as { metadata?: Record<string, unknown> };
    obj.metadata = {
      ...obj.metadata,
      uid: `uid-${i}`,
      resourceVersion: String(1000 + i),
      managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:spec': {} } }],
    };
    return obj;
  });
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } }, null, 4)}\n`;
}

/** The example's objects, read the way plan reads them (from the YAML files), as plain values. */
async function exampleObjects(): Promise<unknown[]> {
  const { loadAll } = await import('js-yaml');
  return manifests.flatMap((text) => loadAll(text)).filter((o) => o !== null && o !== undefined);
}

function scratch(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'kube-as3-stdin-')), name);
  writeFileSync(path, text);
  return path;
}

describe('kube-as3 plan/diff/apply -f - (standard input)', () => {
  it("the binary plans kubectl's JSON List piped to it exactly as from the folder", async () => {
    const bin = join(repoRoot, 'bin', 'kube-as3.js');
    const fromFiles = spawnSync(process.execPath, [bin, 'plan', '-f', example, '--config', exampleConfig], { encoding: 'utf8' });
    const piped = spawnSync(process.execPath, [bin, 'plan', '-f', '-', '--config', exampleConfig], {
      encoding: 'utf8',
      input: kubectlJson(await exampleObjects()),
    });
    assert.equal(piped.stderr, '');
    assert.equal(piped.status, 0);
    assert.equal(piped.stdout, fromFiles.stdout);
  });

  it('the binary reads multi-document YAML piped to it, and names <stdin> in messages', () => {
    const bin = join(repoRoot, 'bin', 'kube-as3.js');
    const broken = `${manifests.join('\n---\n')}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: x}\n  bad: indentation\n`;
    const piped = spawnSync(process.execPath, [bin, 'plan', '-f', '-', '--config', exampleConfig, '-o', 'summary'], {
      encoding: 'utf8',
      input: broken,
    });
    assert.match(
      piped.stderr,
      /^File <stdin>: invalid YAML at line \d+: bad indentation of a mapping entry; nothing in this file was used$/m,
    );
    const fine = spawnSync(process.execPath, [bin, 'plan', '-f', '-', '--config', exampleConfig, '-o', 'summary'], {
      encoding: 'utf8',
      input: manifests.join('\n---\n'),
    });
    assert.equal(fine.status, 0, fine.stderr);
    assert.match(fine.stdout, /1 tenant\(s\), 2 virtual\(s\), 3 pool\(s\)/);
  });

  it('says where piped JSON is broken', async () => {
    const run = await runCliCaptured(['plan', '-f', '-'], '{\n  "kind": "List",\n  "items": [}\n');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^File <stdin>: invalid JSON at line 3, column 13: Unexpected token .}.; nothing in this file was used$/m);
  });

  it('reads one cluster of a set from standard input beside folders', async () => {
    const objects = await exampleObjects();
    const both = ['--cluster', `east=${example}`, '--config', exampleConfig];
    const fromFiles = await runCliCaptured(['plan', ...both, '--cluster', `west=${example}`]);
    const piped = await runCliCaptured(['plan', ...both, '--cluster', 'west=-'], kubectlJson(objects));
    assert.equal(piped.stderr, fromFiles.stderr);
    assert.equal(piped.stdout, fromFiles.stdout);
  });

  it('diff reads standard input like plan', async () => {
    const planned = await runCliCaptured(['plan', '-f', example, '--config', exampleConfig]);
    const saved = scratch('declaration.json', planned.stdout);
    const run = await runCliCaptured(
      ['diff', '-f', '-', '--config', exampleConfig, '--against', saved],
      kubectlJson(await exampleObjects()),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /no changes/i);
  });

  const refused: Array<[string, string[], string, RegExp]> = [
    ['two -f -', ['plan', '-f', '-', '-f', '-'], '{}', /^error: -f -, -f -: standard input can be read only once/m],
    [
      '-f - and --cluster NAME=-',
      ['plan', '-f', '-', '--cluster', 'b=-'],
      '{}',
      /^error: -f -, --cluster b=-: standard input can be read only once/m,
    ],
    [
      'two clusters from standard input',
      ['diff', '--cluster', 'a=-', '--cluster', 'b=-', '--against', '/dev/null'],
      '{}',
      /^error: --cluster a=-, --cluster b=-: standard input can be read only once/m,
    ],
    [
      'empty standard input in plan (a failed kubectl before the pipe)',
      ['plan', '-f', '-'],
      ' \n',
      /^error: -f -: standard input is empty; nothing was planned/m,
    ],
    [
      'empty standard input in apply, before the BIG-IP is contacted',
      ['apply', '-f', '-', '--bigip-url', 'https://127.0.0.1:9'],
      '',
      /^error: -f -: standard input is empty; nothing was planned/m,
    ],
    [
      'empty standard input for one cluster',
      ['plan', '--cluster', `a=${example}`, '--cluster', 'b=-'],
      '',
      /^error: --cluster b=-: standard input is empty/m,
    ],
  ];
  for (const [what, args, stdin, message] of refused) {
    it(`refuses ${what} (exit 1)`, async () => {
      const run = await runCliCaptured(args, stdin);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, '');
    });
  }
});
