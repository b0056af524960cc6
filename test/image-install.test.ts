/**
 * The container image's install steps, proved without a container engine (none on the build
 * machines): the Dockerfile's final stage is replayed in a temporary folder — its COPY lines (the
 * built dist/ standing for the build stage's), its ENV and its `npm ci` — then the folder is made
 * read-only (the chart runs the image with readOnlyRootFilesystem) and the ENTRYPOINT is run from
 * there: `--version` and a `plan` of the project's example. The test reads the Dockerfile, so a
 * change there (a new COPY, another install flag) is what gets tested.
 *
 * Needs dist/ built (`npm test` builds before mocha) and the npm registry or a warm npm cache.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import { repoRoot } from './support/as3-validation.js';

type Step =
  | { kind: 'copy'; from?: string; sources: string[]; dest: string }
  | { kind: 'run'; command: string }
  | { kind: 'env'; name: string; value: string };

interface Stage {
  name?: string;
  workdir: string;
  steps: Step[];
  entrypoint?: string[];
}

/** The instructions this Dockerfile uses (FROM, WORKDIR, COPY, RUN, ENV, ENTRYPOINT), stage by stage. */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  for (const line of lines) {
    const [instruction = '', ...rest] = line.split(/\s+/);
    const args = line.slice(instruction.length).trim();
    const stage = stages.at(-1);
    switch (instruction.toUpperCase()) {
      case 'ARG':
        break;
      case 'FROM': {
        const as = rest.findIndex((w) => w.toUpperCase() === 'AS');
        stages.push({ ...(as >= 0 ? { name: rest[as + 1] } : {}), workdir: '/', steps: [] });
        break;
      }
      default: {
        assert.ok(stage, `${instruction} before FROM`);
        switch (instruction.toUpperCase()) {
          case 'WORKDIR':
            stage.workdir = posix.resolve(stage.workdir, args);
            break;
          case 'RUN':
            stage.steps.push({ kind: 'run', command: args });
            break;
          case 'ENV': {
            const [name = '', value = ''] = args.split('=');
            stage.steps.push({ kind: 'env', name, value });
            break;
          }
          case 'ENTRYPOINT':
            stage.entrypoint = JSON.parse(args) as string[];
            break;
          case 'COPY': {
            const words = args.split(/\s+/);
            const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
            const paths = words.filter((w) => !w.startsWith('--'));
            assert.ok(paths.length >= 2 && !args.startsWith('['), `COPY ${args}: the test reads the shell form only`);
            stage.steps.push({ kind: 'copy', ...(from ? { from } : {}), sources: paths.slice(0, -1), dest: paths.at(-1)! });
            break;
          }
          case 'USER':
          case 'CMD':
          case 'LABEL':
          case 'EXPOSE':
            break;
          default:
            assert.fail(`Dockerfile instruction ${instruction} is not replayed by this test`);
        }
      }
    }
  }
  return stages;
}

const dockerfile = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
const finalStage = dockerfile.at(-1)!;
const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

/** Where a source of COPY is in the work tree: the context, or (--from) the build stage's output. */
function sourceInRepo(step: Extract<Step, { kind: 'copy' }>, source: string): string {
  if (step.from === undefined) return join(repoRoot, source);
  const stage = dockerfile.find((s) => s.name === step.from);
  assert.ok(stage, `COPY --from=${step.from}: no such stage`);
  return join(repoRoot, posix.relative(stage.workdir, posix.resolve(stage.workdir, source)));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('the container image, replayed outside a container (Dockerfile final stage)', function () {
  this.timeout(240_000);
  let app = '';
  const env: Record<string, string> = {};

  /** The folder standing for the image's WORKDIR; an absolute image path maps into it. */
  const inApp = (imagePath: string): string => join(app, posix.relative(finalStage.workdir, posix.resolve(finalStage.workdir, imagePath)));

  function entrypoint(...args: string[]): SpawnSyncReturns<string> {
    const [command = '', ...first] = finalStage.entrypoint ?? [];
    assert.equal(command, 'node', 'the ENTRYPOINT runs node');
    return spawnSync(process.execPath, [...first.map((a) => (a.startsWith('/') ? inApp(a) : a)), ...args], {
      cwd: app,
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
  }

  before(function () {
    assert.ok(existsSync(join(repoRoot, 'dist', 'cli', 'main.js')), 'dist/ is not built: run `npm run build` first');
    app = mkdtempSync(join(tmpdir(), 'kube-as3-image-'));
    let installs = 0;
    for (const step of finalStage.steps) {
      if (step.kind === 'env') {
        env[step.name] = step.value;
      } else if (step.kind === 'copy') {
        const dest = inApp(step.dest);
        const intoDir = step.dest.endsWith('/') || step.sources.length > 1;
        for (const source of step.sources) {
          const from = sourceInRepo(step, source);
          assert.ok(existsSync(from), `COPY ${source}: ${from} is missing`);
          if (statSync(from).isDirectory()) cpSync(from, dest, { recursive: true });
          else {
            mkdirSync(intoDir ? dest : join(dest, '..'), { recursive: true });
            cpSync(from, intoDir ? join(dest, basename(from)) : dest);
          }
        }
      } else {
        // Only the install itself; `npm cache clean` and the like would touch this machine's cache.
        for (const command of step.command
          .split('&&')
          .map((c) => c.trim())
          .filter((c) => c.startsWith('npm ci'))) {
          installs += 1;
          const npm = spawnSync('npm', [...command.split(/\s+/).slice(1), '--prefer-offline'], {
            cwd: app,
            encoding: 'utf8',
            env: { ...process.env, ...env },
          });
          assert.equal(npm.status, 0, `${command} failed:\n${npm.stderr}`);
        }
      }
    }
    assert.equal(installs, 1, 'the final stage installs its dependencies with one npm ci');
    // The image's root filesystem is read-only at run time.
    assert.equal(spawnSync('chmod', ['-R', 'a-w', app]).status, 0);
  });

  after(function () {
    if (app === '') return;
    spawnSync('chmod', ['-R', 'u+w', app]);
    rmSync(app, { recursive: true, force: true });
  });

  it('installs production dependencies only, without running install scripts', () => {
    const command = finalStage.steps.find((s) => s.kind === 'run' && s.command.includes('npm ci'));
    assert.ok(command?.kind === 'run');
    assert.match(command.command, /--omit=dev/);
    assert.match(command.command, /--ignore-scripts/, '`prepare` builds with tsc, which is not installed');
    assert.ok(existsSync(join(app, 'node_modules', 'commander')));
    // What the lockfile marks dev-only (a devDependency such as @types/node may also come with a
    // production dependency, and then it belongs in the image).
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages)
      .filter(([, entry]) => entry.dev === true)
      .map(([path]) => path);
    assert.ok(devOnly.length > 0);
    for (const path of [...devOnly, 'node_modules/typescript', 'node_modules/mocha', 'node_modules/tsx']) {
      assert.ok(!existsSync(join(app, path)), `dev-only ${path} is installed in the image`);
    }
    assert.ok(!existsSync(join(app, 'src')), 'no TypeScript sources in the image');
  });

  it('prints the package version and plans the example from a read-only folder, writing nothing', () => {
    const before = filesUnder(app);
    const version = entrypoint('--version');
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout.trim(), packageJson.version);

    const example = join(repoRoot, 'examples', 'single-cluster');
    const plan = entrypoint('plan', '-f', example, '--config', join(example, 'kube-as3.yaml'), '-o', 'summary');
    assert.equal(plan.status, 0, plan.stderr);
    assert.match(plan.stdout, /^TENANT\s+VIRTUAL\s+LISTENER/m);
    assert.match(plan.stdout, /\d+ tenant\(s\), \d+ virtual\(s\)/);
    // chmod does not stop root: compare the listing as well.
    assert.deepEqual(filesUnder(app), before);
  });

  it('.dockerignore lets through every file the Dockerfile copies from the build context', () => {
    const ignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim());
    assert.ok(ignore.includes('*'), '.dockerignore is an allowlist');
    for (const stage of dockerfile) {
      for (const step of stage.steps) {
        if (step.kind !== 'copy' || step.from !== undefined) continue;
        for (const source of step.sources) {
          const name = source.replace(/^\.\//, '').replace(/\/$/, '');
          assert.ok(ignore.includes(`!${name}`) || ignore.includes(`!${name}/`), `.dockerignore keeps ${source} out of the build context`);
        }
      }
    }
  });
});
