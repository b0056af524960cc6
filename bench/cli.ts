/**
 * End-to-end scenarios of `npm run bench`: the built executable (`bin/kube-as3.js`, run `npm run
 * build` first) as users run it, one child process per run, beside `node -e 0` on the same
 * machine. Each scenario runs RUNS times; the median wall time and peak RSS are reported with the
 * 1-minute load average before each run (figures from a busy machine say little). Wall time is
 * measured around the spawn; peak RSS by `/usr/bin/time -f %M` when present, else by the child
 * itself (`process.resourceUsage().maxRSS`, through a preloaded one-line module).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { writeCliWorkload } from './cli-workloads.js';
import type { CliWorkload } from './cli-workloads.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'kube-as3.js');
const TIME = '/usr/bin/time';
const OFFICIAL_SCHEMA = join(process.env['AS3_SCHEMA_DIR'] ?? join(ROOT, '..', 'shared', 'as3-schemas'), 'as3-schema.json');
export const CLI_RUNS = 5;

export interface CliTarget {
  /** Wall time at most this much over `node -e 0`. */
  overNodeMs?: number;
  wallMs?: number;
  rssMiB?: number;
  /** Shown instead when the row has no figure to meet. */
  note?: string;
}

export interface CliScenario {
  id: string;
  label: string;
  target: CliTarget;
  /** Writes the inputs into `dir`; gives the node arguments of one run (`run` counts from 0) and what the input is. */
  prepare(dir: string): { args: (run: number) => string[]; input: string };
}

export interface CliRun {
  wallMs: number;
  rssMiB: number;
  load1: number;
}

export interface CliMeasurement {
  id: string;
  label: string;
  input: string;
  target: CliTarget;
  runs: CliRun[];
  wallMs: number;
  rssMiB: number;
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

function planOf(w: CliWorkload, what: string): CliScenario['prepare'] {
  return (dir) => {
    const written = writeCliWorkload(dir, w);
    return {
      args: () => [BIN, 'plan', ...written.args],
      input: `${what}: ${written.objects.toLocaleString('en-US')} objects, ${mb(written.bytes)}`,
    };
  };
}

/** Plan of the small file with `as3.schemaFile`; `warm`: the cache folder already holds the compiled schema. */
function withSchema(warm: boolean): CliScenario['prepare'] {
  return (dir) => {
    const small = writeCliWorkload(dir, { n: 3, clusters: 1, format: 'yaml' });
    const config = (run: number): string => {
      const file = join(dir, `config-${run}.yaml`);
      // Cold: a new, empty cache folder per run, so every run compiles.
      writeFileSync(file, `as3: {schemaFile: ${OFFICIAL_SCHEMA}, schemaCacheDir: ${join(dir, warm ? 'cache' : `cache-${run}`)}}\n`);
      return file;
    };
    if (warm) spawnSync(process.execPath, [BIN, 'plan', ...small.args, '--config', config(-1)], { stdio: 'ignore' });
    return {
      args: (run) => [BIN, 'plan', ...small.args, '--config', config(run)],
      input: `the small file + as3.schemaFile (${mb(readFileSync(OFFICIAL_SCHEMA).length)})`,
    };
  };
}

/** The scenarios; `quick` makes the large ones a tenth of their size. */
export function cliScenarios(quick: boolean): CliScenario[] {
  const n = quick ? 1_000 : 10_000;
  const dumpN = quick ? 666 : 6_666;
  // The targets are for the full size: --quick shows them as a note only.
  const full = (t: CliTarget): CliTarget => (quick ? { note: 'targets are for 10,000' } : t);
  const list: CliScenario[] = [
    { id: 'cli-node', label: 'node -e 0', target: { note: 'the baseline' }, prepare: () => ({ args: () => ['-e', '0'], input: '-' }) },
    { id: 'cli-help', label: 'kube-as3 --help', target: { overNodeMs: 250 }, prepare: () => ({ args: () => [BIN, '--help'], input: '-' }) },
    {
      id: 'cli-plan-small',
      label: 'plan, one small file',
      target: { overNodeMs: 250 },
      prepare: planOf({ n: 3, clusters: 1, format: 'yaml' }, 'YAML'),
    },
    {
      id: `cli-plan-${n}-3x-json`,
      label: `plan ${n.toLocaleString('en-US')} VS × 3 clusters, JSON Lists`,
      target: full({ wallMs: 2000, rssMiB: 600 }),
      prepare: planOf({ n, clusters: 3, format: 'json-list' }, 'JSON List per cluster'),
    },
    {
      id: `cli-plan-${n}-yaml`,
      label: `plan ${n.toLocaleString('en-US')} VS × 1 cluster, multi-document YAML`,
      target: full({ wallMs: 3000 }),
      prepare: planOf({ n, clusters: 1, format: 'yaml' }, 'YAML'),
    },
    {
      id: 'cli-plan-kubectl-dump',
      label: 'plan of a kubectl get -o json dump (managedFields)',
      target: full({ wallMs: 3000, rssMiB: 700 }),
      prepare: planOf({ n: dumpN, clusters: 1, format: 'kubectl-dump' }, 'kubectl dump'),
    },
  ];
  if (existsSync(OFFICIAL_SCHEMA)) {
    list.push(
      {
        id: 'cli-schema-compile',
        label: 'plan, small file, as3.schemaFile compiled',
        target: { note: 'none (~1.7 s, issue 16)' },
        prepare: withSchema(false),
      },
      {
        id: 'cli-schema-cached',
        label: 'plan, small file, as3.schemaFile from the cache',
        target: { note: 'avoids the compile' },
        prepare: withSchema(true),
      },
    );
  }
  return list;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** One run of `node args`: wall time, peak RSS and the load average before it. */
function runOnce(args: string[], dir: string): CliRun {
  const rssFile = join(dir, 'rss');
  rmSync(rssFile, { force: true });
  const withTime = existsSync(TIME);
  const [command, commandArgs] = withTime
    ? [TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...args]]
    : [
        process.execPath,
        [
          `--import=data:text/javascript,import{writeFileSync}from"node:fs";process.on("exit",()=>writeFileSync(process.env.BENCH_RSS_FILE,String(process.resourceUsage().maxRSS)))`,
          ...args,
        ],
      ];
  const load1 = loadavg()[0] ?? 0;
  const started = performance.now();
  const run = spawnSync(command, commandArgs, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, BENCH_RSS_FILE: rssFile },
    maxBuffer: 64 << 20,
  });
  const wallMs = performance.now() - started;
  if (run.status !== 0 && run.status !== 2)
    throw new Error(`node ${args.join(' ')} exited ${String(run.status)}: ${run.stderr.toString().slice(0, 500)}`);
  const kib = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
  return { wallMs, rssMiB: kib / 1024, load1 };
}

/** Runs each scenario CLI_RUNS times (after one unmeasured run that warms the file cache). */
export function measureCli(scenarios: CliScenario[], log: (line: string) => void): CliMeasurement[] {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('the CLI scenarios run dist/: run `npm run build` first');
  const base = mkdtempSync(join(tmpdir(), 'kube-as3-bench-cli-'));
  const out: CliMeasurement[] = [];
  try {
    for (const s of scenarios) {
      log(`running ${s.id} ...`);
      const dir = join(base, s.id);
      mkdirSync(dir);
      const prepared = s.prepare(dir);
      runOnce(prepared.args(-2), dir);
      const runs = Array.from({ length: CLI_RUNS }, (_, i) => runOnce(prepared.args(i), dir));
      out.push({
        id: s.id,
        label: s.label,
        input: prepared.input,
        target: s.target,
        runs,
        wallMs: median(runs.map((r) => r.wallMs)),
        rssMiB: median(runs.map((r) => r.rssMiB)),
      });
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  return out;
}
