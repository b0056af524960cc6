/**
 * Start-up of the installed executable (issue 16, item 2): `--help`, `--version` and `plan` load
 * neither the Kubernetes client, the HTTP client, the logger, metrics nor Ajv, which cost about a
 * second of every start. The modules a child process loads are recorded by
 * support/record-modules.mjs; no timing is asserted (bench/cli.ts measures it).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './support/as3-validation.js';

const RECORDER = join(repoRoot, 'test', 'support', 'record-modules.mjs');
const BIN = join(repoRoot, 'bin', 'kube-as3.js');
const example = join(repoRoot, 'examples', 'single-cluster');

/** Packages only `run`, `diff`/`apply` against a BIG-IP, or `as3.schemaFile` need. */
const HEAVY = ['@kubernetes/client-node', 'axios', 'pino', 'prom-client', 'ajv', 'ajv-formats'];

interface Recorded {
  status: number | null;
  stderr: string;
  modules: string[];
}

function recorded(nodeArgs: string[]): Recorded {
  const dir = mkdtempSync(join(tmpdir(), 'kube-as3-modules-'));
  const log = join(dir, 'modules.log');
  try {
    const run = spawnSync(process.execPath, ['--import', RECORDER, ...nodeArgs], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, KUBE_AS3_MODULE_LOG: log },
    });
    const modules = [
      ...new Set(
        readFileSync(log, 'utf8')
          .split('\n')
          .filter((l) => l !== ''),
      ),
    ];
    return { status: run.status, stderr: run.stderr, modules };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The heavy packages among the loaded modules. */
function heavyLoaded(modules: string[]): string[] {
  return HEAVY.filter((name) => modules.some((url) => url.includes(`/node_modules/${name}/`)));
}

describe('start-up of bin/kube-as3.js loads only what the command uses', () => {
  before(function () {
    // bin/ runs dist/: the build must be there (npm test builds first).
    if (spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' }).status !== 0) this.skip();
  });

  it('records both ES modules and CommonJS modules (or the checks below would prove nothing)', () => {
    const esm = recorded(['--input-type=module', '-e', 'await import("axios")']);
    assert.deepEqual(heavyLoaded(esm.modules), ['axios'], esm.stderr);
    const cjs = recorded(['-e', 'require("pino")']);
    assert.deepEqual(heavyLoaded(cjs.modules), ['pino'], cjs.stderr);
  });

  for (const args of [['--help'], ['--version'], ['plan', '--help'], ['run', '--help']]) {
    it(`kube-as3 ${args.join(' ')}`, () => {
      const run = recorded([BIN, ...args]);
      assert.equal(run.status, 0, run.stderr);
      assert.ok(
        run.modules.some((url) => url.includes('/node_modules/commander/')),
        'the recorder saw the CLI start',
      );
      assert.deepEqual(heavyLoaded(run.modules), []);
    });
  }

  it('kube-as3 plan of files with a config file, as JSON and as a summary', () => {
    for (const output of ['json', 'summary']) {
      const run = recorded([BIN, 'plan', '-f', example, '--config', join(example, 'kube-as3.yaml'), '-o', output]);
      assert.equal(run.status, 0, run.stderr);
      assert.ok(
        run.modules.some((url) => url.endsWith('/dist/plan/planner.js')),
        'the recorder saw the plan',
      );
      assert.deepEqual(heavyLoaded(run.modules), []);
    }
  });

  it('kube-as3 plan of one file without a config file', () => {
    const run = recorded([BIN, 'plan', '-f', join(example, 'virtualservers.yaml')]);
    assert.ok(run.status === 0 || run.status === 2, run.stderr);
    assert.deepEqual(heavyLoaded(run.modules), []);
  });
});
