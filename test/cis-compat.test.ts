/**
 * CIS compatibility (issue 15): manifests in the shapes of F5's published CIS v2.20 examples
 * (`docs/config_examples`), written for this project, must plan without refusals other than for a
 * missing referenced object.
 *
 * Layout: `test/cis-compat/<mode>/` holds `config.yaml` (the kube-as3 config, as a CIS deployment
 * in that mode would be configured), optionally `shared/` (objects every scenario of the folder
 * sees, such as Nodes and Secrets) and one YAML file per scenario. A multi-cluster folder also
 * holds `clusters/<name>/` per remote cluster; its scenario files are the objects of the config's
 * `localClusterName`.
 *
 * Each scenario starts with a comment header that this test reads:
 *   # expect: virtuals=N          AS3 Service_* objects (BIG-IP virtual servers) in the declaration;
 *                                 every AS3 Pool has members, unless `empty-pools=M` follows
 *   # expect-warning: TEXT        a stderr line containing TEXT and "warning:" (repeatable)
 *   # expect-missing: TEXT        an error line containing TEXT; the file then exits 2 (repeatable)
 *   # expect-in-declaration: TEXT the JSON declaration contains TEXT (a field translated, not dropped)
 *   # expect-not-in-declaration: TEXT   ... and does not contain TEXT
 *   # known-refusal: TEXT         a field-rule refusal of a CIS example shape that is still open
 * Without `expect-missing` the plan must exit 0. With it, every error line (a stderr line that is
 * not a warning) must be about a missing referenced object.
 *
 * A `known-refusal` is not accepted silently: its check is reported as pending with the refusal,
 * and fails as soon as the refusal is gone or another one appears (then the header must change).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { assertOfficialSchemaValid, projectSchemaErrors, repoRoot } from './support/as3-validation.js';
import { runCliCaptured } from './support/run-cli.js';

const root = join(repoRoot, 'test', 'cis-compat');

/** The only refusals allowed: a referenced object (Service, TLSProfile, Secret, Policy, ...) that does not exist yet. */
const MISSING_REFERENCE = [/was not found/, /not found;/, /does not exist/, /has no nodePort yet/];

interface Expectation {
  virtuals: number;
  emptyPools: number;
  warnings: string[];
  missing: string[];
  knownRefusals: string[];
  inDeclaration: string[];
  notInDeclaration: string[];
}

function expectation(file: string): Expectation {
  const header: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('#')) break;
    header.push(line);
  }
  const values = (key: string): string[] =>
    header.flatMap((line) => {
      const m = new RegExp(`^#\\s*${key}:\\s*(.*\\S)\\s*$`).exec(line);
      return m?.[1] === undefined ? [] : [m[1]];
    });
  const [counts] = values('expect').map((v) => /^virtuals=(\d+)(?: empty-pools=(\d+))?$/.exec(v));
  assert.ok(counts?.[1] !== undefined, `${relative(repoRoot, file)}: the header needs "# expect: virtuals=N"`);
  return {
    virtuals: Number(counts[1]),
    emptyPools: Number(counts[2] ?? 0),
    warnings: values('expect-warning'),
    missing: values('expect-missing'),
    knownRefusals: values('known-refusal'),
    inDeclaration: values('expect-in-declaration'),
    notInDeclaration: values('expect-not-in-declaration'),
  };
}

const yamlFiles = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => join(dir, f))
    : [];

function planArgs(folder: string, scenario: string): string[] {
  const config = join(folder, 'config.yaml');
  const shared = join(folder, 'shared');
  const local = (parse(readFileSync(config, 'utf8')) as { multiCluster?: { localClusterName?: string } } | null)?.multiCluster
    ?.localClusterName;
  const inputs: string[] = [];
  if (local === undefined) {
    inputs.push('-f', scenario);
    if (existsSync(shared)) inputs.push('-f', shared);
  } else {
    inputs.push('--cluster', `${local}=${scenario}`);
    if (existsSync(shared)) inputs.push('--cluster', `${local}=${shared}`);
    const clusters = join(folder, 'clusters');
    const names = existsSync(clusters)
      ? readdirSync(clusters, { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => d.name)
          .sort()
      : [];
    for (const name of names) inputs.push('--cluster', `${name}=${join(clusters, name)}`);
  }
  return ['plan', ...inputs, '--config', config, '-o', 'json'];
}

/** The AS3 objects of a declaration with their `tenant/app/name`. */
function objects(declaration: unknown): [string, Record<string, unknown>][] {
  const out: [string, Record<string, unknown>][] = [];
  const adc = (declaration as { declaration?: Record<string, unknown> }).declaration ?? {};
  for (const [tenant, apps] of Object.entries(adc)) {
    if (typeof apps !== 'object' || apps === null) continue;
    for (const [appName, app] of Object.entries(apps as Record<string, unknown>)) {
      if (typeof app !== 'object' || app === null) continue;
      for (const [name, obj] of Object.entries(app as Record<string, unknown>)) {
        if (typeof obj === 'object' && obj !== null) out.push([`${tenant}/${appName}/${name}`, obj as Record<string, unknown>]);
      }
    }
  }
  return out;
}

/** Every AS3 Service_* object (a BIG-IP virtual server) of a declaration, as `tenant/app/name`. */
function virtuals(declaration: unknown): string[] {
  return objects(declaration)
    .filter(([, obj]) => typeof obj['class'] === 'string' && obj['class'].startsWith('Service_') && obj['class'] !== 'Service_Address')
    .map(([path]) => path)
    .sort();
}

/** AS3 Pools without members (a Service that is missing, or has no endpoints or nodes). */
function emptyPools(declaration: unknown): string[] {
  return objects(declaration)
    .filter(([, obj]) => obj['class'] === 'Pool' && (!Array.isArray(obj['members']) || obj['members'].length === 0))
    .map(([path]) => path)
    .sort();
}

describe('CIS-style manifests plan without refusals (test/cis-compat)', () => {
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(root, d.name))
    .sort();
  const scenarios = folders.flatMap((folder) =>
    yamlFiles(folder)
      .filter((f) => !f.endsWith('config.yaml'))
      .map((file) => ({ folder, file })),
  );

  it('has a representative set of scenarios (at least 30)', () => {
    assert.ok(scenarios.length >= 30, `only ${scenarios.length} scenarios`);
  });

  for (const { folder, file } of scenarios) {
    const name = relative(root, file);
    describe(name, () => {
      let run: Awaited<ReturnType<typeof runCliCaptured>>;
      let declaration: unknown;
      const expected = expectation(file);

      before(async () => {
        run = await runCliCaptured(planArgs(folder, file));
        declaration = JSON.parse(run.stdout) as unknown;
      });

      it('refuses nothing but missing referenced objects', function () {
        const lines = run.stderr.split('\n').filter((l) => l !== '');
        const errors = lines.filter((l) => !l.includes(': warning: '));
        const notMissing = errors.filter((l) => !MISSING_REFERENCE.some((p) => p.test(l)));
        if (expected.knownRefusals.length > 0) {
          const known = (l: string): boolean => expected.knownRefusals.some((text) => l.includes(text));
          assert.deepEqual(
            notMissing.filter((l) => !known(l)),
            [],
            `refused for a field rule that is not a known refusal:\n${run.stderr}`,
          );
          for (const text of expected.knownRefusals) {
            assert.ok(
              notMissing.some((l) => l.includes(text)),
              `the known refusal "${text}" is gone: remove it from the header\n${run.stderr}`,
            );
          }
          console.log(`      known refusal of a CIS example shape (issue 15):\n${notMissing.map((l) => `        ${l}`).join('\n')}`);
          this.skip();
        }
        assert.deepEqual(notMissing, [], `refused for a field rule, not a missing object:\n${run.stderr}`);
        for (const text of expected.missing) {
          assert.ok(
            errors.some((l) => l.includes(text)),
            `expected a missing-object error containing "${text}":\n${run.stderr}`,
          );
        }
        if (expected.missing.length === 0) assert.deepEqual(errors, [], `no error expected:\n${run.stderr}`);
        assert.equal(run.code, expected.missing.length === 0 ? 0 : 2, `exit code; stderr:\n${run.stderr}`);
      });

      it(`deploys ${expected.virtuals} virtual(s), ${expected.emptyPools} pool(s) without members`, () => {
        assert.equal(virtuals(declaration).length, expected.virtuals, `virtuals: ${virtuals(declaration).join(', ')}\n${run.stderr}`);
        assert.equal(
          emptyPools(declaration).length,
          expected.emptyPools,
          `pools without members: ${emptyPools(declaration).join(', ')}\n${run.stderr}`,
        );
      });

      if (expected.warnings.length > 0) {
        it('gives the warnings of the rules it exercises', () => {
          const warnings = run.stderr.split('\n').filter((l) => l.includes(': warning: '));
          for (const text of expected.warnings) {
            assert.ok(
              warnings.some((l) => l.includes(text)),
              `expected a warning containing "${text}":\n${run.stderr}`,
            );
          }
        });
      }

      if (expected.inDeclaration.length + expected.notInDeclaration.length > 0) {
        it('translates the fields it exercises', () => {
          for (const text of expected.inDeclaration) assert.ok(run.stdout.includes(text), `the declaration lacks ${text}`);
          for (const text of expected.notInDeclaration) assert.ok(!run.stdout.includes(text), `the declaration has ${text}`);
        });
      }

      it('is valid against the project schema', () => {
        assert.equal(projectSchemaErrors(declaration), '');
      });

      it('is valid against the official AS3 schema', function () {
        assertOfficialSchemaValid(this, declaration);
      });
    });
  }
});
