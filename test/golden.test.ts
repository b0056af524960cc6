/**
 * Golden cases: each directory under test/golden/ holds `input/` (Kubernetes objects as YAML/JSON),
 * or `clusters/<name>/` per cluster of a cluster set (multi-cluster cases), and optionally `config.yaml`; the expected results are `expected.json` (the declaration `plan`
 * prints), `expected.stderr` (the problems, one per line), `expected.summary` (`plan -o summary`) and
 * `expected.exit` (the exit code). Run with UPDATE_GOLDEN=1 to rewrite the expectations after an
 * intended change, then review the diff; GOLDEN=<prefix> limits the run to matching cases. Every declaration must validate against the project's
 * strict schema and the official AS3 schema, and must be byte-identical across runs.
 *
 * IPAM cases carry `ipam-state.json` (the allocations kept from earlier runs; `{}`-like empty state
 * for a first run): plan runs with a copy as `--ipam-state`, twice (the second run reads what the
 * first saved and must print the same), and the saved file must equal `expected.ipam-state.json`.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { assertOfficialSchemaValid, projectSchemaErrors, repoRoot } from './support/as3-validation.js';
import { runCliCaptured } from './support/run-cli.js';

const goldenRoot = join(repoRoot, 'test', 'golden');
const update = process.env['UPDATE_GOLDEN'] === '1';
/** `GOLDEN=prefix` runs (and updates) only the cases whose name starts with the prefix. */
const only = process.env['GOLDEN'];

function expect(file: string, actual: string): void {
  if (update) {
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `${relative(repoRoot, file)} is missing: run UPDATE_GOLDEN=1 npm run test:golden:update`);
  assert.equal(actual, readFileSync(file, 'utf8'), `${relative(repoRoot, file)} differs (UPDATE_GOLDEN=1 rewrites it)`);
}

/**
 * `-f input` for one cluster; for a cluster set, `--cluster NAME=clusters/NAME` per directory
 * under `clusters/` (in name order: the config's cluster list gives the precedence).
 */
function inputArgs(dir: string, rel: string): string[] {
  const clusters = join(dir, 'clusters');
  if (!existsSync(clusters)) return ['-f', join(rel, 'input')];
  const names = readdirSync(clusters, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  return names.flatMap((name) => ['--cluster', `${name}=${join(rel, 'clusters', name)}`]);
}

function planArgs(dir: string, ipamState: string | undefined): string[] {
  const rel = relative(process.cwd(), dir);
  const args = ['plan', ...inputArgs(dir, rel)];
  if (existsSync(join(dir, 'config.yaml'))) args.push('--config', join(rel, 'config.yaml'));
  if (ipamState) args.push('--ipam-state', ipamState);
  return args;
}

/** A scratch copy of the case's `ipam-state.json`, or undefined for cases without IPAM state. */
function ipamStateCopy(dir: string): string | undefined {
  const source = join(dir, 'ipam-state.json');
  if (!existsSync(source)) return undefined;
  const copy = join(mkdtempSync(join(tmpdir(), 'kube-as3-golden-')), 'ipam-state.json');
  copyFileSync(source, copy);
  return copy;
}

/** `tenant/virtual` of every AS3 service (BIG-IP virtual server) of a declaration, with its class. */
function deployedVirtuals(declaration: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const adc = (declaration as { declaration?: Record<string, unknown> }).declaration ?? {};
  for (const [tenant, apps] of Object.entries(adc)) {
    if (typeof apps !== 'object' || apps === null) continue;
    for (const app of Object.values(apps as Record<string, unknown>)) {
      if (typeof app !== 'object' || app === null) continue;
      for (const [name, obj] of Object.entries(app as Record<string, unknown>)) {
        const cls = (obj as { class?: unknown } | null)?.class;
        if (typeof cls === 'string' && cls.startsWith('Service_') && cls !== 'Service_Address') out.set(`${tenant}/${name}`, cls);
      }
    }
  }
  return out;
}

/** `tenant/virtual` → the TYPE cells of the summary's route table (the first table). */
function summaryVirtuals(summary: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const [header, ...rows] = summary.split('\n\n')[0]?.split('\n') ?? [];
  if (!header?.startsWith('TENANT')) return out;
  for (const row of rows) {
    const [tenant, virtual, , type] = row.split(/ {2,}/);
    const key = `${tenant}/${virtual}`;
    out.set(key, new Set([...(out.get(key) ?? []), type ?? '']));
  }
  return out;
}

describe('golden cases (test/golden/<case>)', () => {
  const cases = readdirSync(goldenRoot, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

  it('has at least 85 cases', () => assert.ok(cases.length >= 85, `only ${cases.length} golden cases`));

  it('every problem that says something was ignored also says what to do about it', () => {
    const action = /; (remove|nothing to change|set|move|make|give|write|use|add|label|keep|configure|name|create|terminate)\b/;
    const silent = cases.flatMap((name) =>
      readFileSync(join(goldenRoot, name, 'expected.stderr'), 'utf8')
        .split('\n')
        .filter((line) => /\bignored\b/.test(line) && !action.test(line))
        .map((line) => `${name}: ${line}`),
    );
    assert.deepEqual(silent, []);
  });

  for (const name of cases.filter((c) => only === undefined || c.startsWith(only))) {
    it(name, async () => {
      const dir = join(goldenRoot, name);
      const state = ipamStateCopy(dir);
      const first = await runCliCaptured(planArgs(dir, state));
      const again = await runCliCaptured(planArgs(dir, state));
      assert.equal(again.stdout, first.stdout, 'the same inputs must give a byte-identical declaration');
      const summary = await runCliCaptured([...planArgs(dir, state), '-o', 'summary']);
      if (state) expect(join(dir, 'expected.ipam-state.json'), readFileSync(state, 'utf8'));
      assert.equal(summary.code, first.code, '-o summary must exit like the JSON plan');
      assert.equal(summary.stderr, first.stderr, '-o summary must report the same problems');

      expect(join(dir, 'expected.json'), first.stdout);
      expect(join(dir, 'expected.stderr'), first.stderr);
      expect(join(dir, 'expected.summary'), summary.stdout);
      expect(join(dir, 'expected.exit'), `${first.code}\n`);

      const declaration = JSON.parse(first.stdout) as unknown;
      const deployed = deployedVirtuals(declaration);
      const listed = summaryVirtuals(summary.stdout);
      assert.deepEqual(
        [...listed.keys()].sort(),
        [...deployed.keys()].sort(),
        '-o summary must list every virtual -o json deploys, and no other',
      );
      for (const [key, cls] of deployed) {
        if (cls === 'Service_L4')
          assert.deepEqual([...(listed.get(key) ?? [])], ['l4'], `${key} is a performance (Service_L4) virtual: TYPE l4`);
      }
      assert.equal(projectSchemaErrors(declaration), '', 'must validate against as3-schemas/kube-as3-declaration.schema.json');
    });

    it(`${name}: the expected declaration is valid against the official AS3 3.56 schema`, function () {
      assertOfficialSchemaValid(this, JSON.parse(readFileSync(join(goldenRoot, name, 'expected.json'), 'utf8')));
    });
  }
});
