/**
 * `npm run bench:run`: the live controller, end to end. A real API server (envtest) holds the
 * workload of bench/generate.ts (1,000 VirtualServers by default, their Services and EndpointSlices, Nodes);
 * `kube-as3 run` (the built binary, a child process, leader election on) talks to a fake BIG-IP
 * over HTTP on 127.0.0.1 (in this process, so its own work is timed apart from the controller's).
 *
 *   node --import tsx bench/run-controller.ts [--vs=1000] [--runs=3] [--patches=7] [--polls=1]
 *                                             [--no-official-schema] [--no-build]
 *   BENCH_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the controller;
 *   BENCH_KUBE_AS3_BIN=OTHER/bin/kube-as3.js measures another build (e.g. the base commit).
 *
 * Each run starts a fresh controller and fake BIG-IP against the same cluster and reports
 * start → first post (and where the time went: process start, the first list, the lease, each
 * phase of the first reconcile pass from its log line), then `--patches` EndpointSlice changes:
 * patch → device holds it, split into watch latency, kube-as3's own part and the fake BIG-IP's.
 * Medians over all runs last. Targets are shown, never asserted.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { startEnvtest } from '../test/support/envtest.js';
import type { Envtest } from '../test/support/envtest.js';
import { startFakeBigip } from '../test/support/fake-bigip.js';
import type { FakeBigipTiming } from '../test/support/fake-bigip.js';
import { compileOfficialSchema } from '../test/support/as3-validation.js';
import { createWorkload, patchEndpoint } from './controller-workload.js';
import type { Workload } from './generate.js';

const root = resolve(import.meta.dirname, '..');
/** BENCH_KUBE_AS3_BIN: another build's bin/kube-as3.js, to compare with (its `phases` may be missing). */
const bin = process.env['BENCH_KUBE_AS3_BIN'] ?? join(root, 'bin', 'kube-as3.js');

interface Args {
  vs: number;
  runs: number;
  patches: number;
  polls: number;
  officialSchema: boolean;
  build: boolean;
}

function parseArgs(argv: string[]): Args {
  const num = (name: string, fallback: number): number => Number(argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  return {
    vs: num('vs', 1000),
    runs: num('runs', 3),
    patches: num('patches', 7),
    polls: num('polls', 1),
    officialSchema: !argv.includes('--no-official-schema'),
    build: !argv.includes('--no-build'),
  };
}

interface LogLine {
  time: number;
  msg: string;
  [key: string]: unknown;
}

/** One controller run's timeline (epoch ms) and what the fake BIG-IP saw. */
class Timeline {
  readonly lines: LogLine[] = [];
  readonly device: Array<FakeBigipTiming & { seen: number }> = [];
  private waiters: Array<() => void> = [];

  log(line: LogLine): void {
    this.lines.push(line);
    this.wake();
  }

  bigip(event: FakeBigipTiming): void {
    this.device.push({ ...event, seen: Date.now() });
    this.wake();
  }

  /** Resolves with the first item (after `from` items) that `test` accepts. */
  async until<T>(items: () => T[], test: (item: T) => boolean, from = 0, ms = 120_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = items().slice(from).find(test);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('timed out waiting for the controller');
      await new Promise<void>((done) => {
        const timer = setTimeout(done, 1000);
        this.waiters.push(() => {
          clearTimeout(timer);
          done();
        });
      });
    }
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }
}

type Phases = Record<string, number>;
interface FirstPost {
  startToFirstPostMs: number;
  startToHeldMs: number;
  processStartMs: number;
  listMs: number;
  leaseMs: number;
  passMs: number;
  phases: Phases;
  deviceMs: number;
}
interface Change {
  totalMs: number;
  watchMs: number;
  ownMs: number;
  deviceMs: number;
  passMs: number;
  phases: Phases;
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const round = (n: number): number => Math.round(n * 10) / 10;

/** Sum of the fake BIG-IP's own work on requests received in [from, to]. */
function deviceWork(t: Timeline, from: number, to: number): number {
  return t.device
    .filter((e) => e.type === 'request' && e.receivedAt >= from && e.receivedAt <= to)
    .reduce((sum, e) => sum + (e.type === 'request' ? e.ms : 0), 0);
}

async function oneRun(env: Envtest, w: Workload, args: Args, run: number): Promise<{ first: FirstPost; changes: Change[] }> {
  const timeline = new Timeline();
  const bigip = await startFakeBigip({
    asyncPollsBeforeDone: args.polls,
    officialSchema: args.officialSchema,
    observe: (e) => timeline.bigip(e),
  });
  const dir = mkdtempSync(join(tmpdir(), 'kube-as3-bench-run-'));
  writeFileSync(join(dir, 'username'), 'admin\n');
  writeFileSync(join(dir, 'password'), 'admin\n');
  writeFileSync(
    join(dir, 'kube-as3.yaml'),
    `poolMemberType: cluster\nbigip: {partition: bench, url: "${bigip.url}"}\nas3: {instance: bench}\n`,
  );
  const t0 = Date.now();
  // BENCH_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": profile the controller.
  const nodeArgs = (process.env['BENCH_CHILD_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      bin,
      'run',
      '--config',
      join(dir, 'kube-as3.yaml'),
      '--kubeconfig',
      env.kubeconfigPath,
      '--bigip-credentials-dir',
      dir,
      '--port',
      '0',
      '--namespace',
      'default',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      timeline.log(JSON.parse(line) as LogLine);
    } catch {
      console.error(`controller: ${line}`);
    }
  });
  try {
    const byMsg =
      (msg: string) =>
      (l: LogLine): boolean =>
        l.msg === msg;
    const running = await timeline.until(() => timeline.lines, byMsg('kube-as3 controller running'));
    const watching = await timeline.until(
      () => timeline.lines,
      (l) => l.msg.startsWith('watching;'),
    );
    const leading = await timeline.until(() => timeline.lines, byMsg('leading: reconciling'));
    const pass = await timeline.until(() => timeline.lines, byMsg('BIG-IP updated'));
    const firstWrite = await timeline.until(
      () => timeline.device,
      (e) => e.type === 'request' && e.method === 'POST' && e.path.includes('/declare'),
    );
    const held = await timeline.until(
      () => timeline.device,
      (e) => e.type === 'executed',
    );
    const passStart = pass.time - (pass['ms'] as number);
    const first: FirstPost = {
      startToFirstPostMs: (firstWrite.type === 'request' ? firstWrite.receivedAt : 0) - t0,
      startToHeldMs: (held.type === 'executed' ? held.at : 0) - t0,
      processStartMs: running.time - t0,
      listMs: Number(watching['listMs'] ?? NaN),
      leaseMs: leading.time - watching.time,
      passMs: pass['ms'] as number,
      phases: (pass['phases'] ?? {}) as Phases,
      deviceMs: round(deviceWork(timeline, passStart, pass.time)),
    };
    console.error(`run ${run}: first post ${first.startToFirstPostMs} ms after start, ${JSON.stringify(first)}`);
    // The status writes of the first pass come back as watch updates: let them pass first.
    await new Promise((r) => setTimeout(r, 2000));
    const changes: Change[] = [];
    for (let p = 1; p <= args.patches; p++) {
      const i = Math.floor(((p - 0.5) * w.n) / args.patches);
      const g = run * 100 + p;
      const linesBefore = timeline.lines.length;
      const deviceBefore = timeline.device.length;
      const sent = Date.now();
      const address = await patchEndpoint(env, w, i, g);
      const executed = await timeline.until(
        () => timeline.device,
        (e) => e.type === 'executed' && JSON.stringify(e.body).includes(`"${address}"`),
        deviceBefore,
      );
      const changePass = await timeline.until(() => timeline.lines, byMsg('BIG-IP updated'), linesBefore);
      const at = executed.type === 'executed' ? executed.at : 0;
      const start = changePass.time - (changePass['ms'] as number);
      const deviceMs = deviceWork(timeline, start, at);
      const change: Change = {
        totalMs: at - sent,
        watchMs: start - sent,
        ownMs: round(at - start - deviceMs),
        deviceMs: round(deviceMs),
        passMs: changePass['ms'] as number,
        phases: (changePass['phases'] ?? {}) as Phases,
      };
      console.error(`  patch ${p}: ${JSON.stringify(change)}`);
      changes.push(change);
      await new Promise((r) => setTimeout(r, 300));
    }
    return { first, changes };
  } finally {
    child.kill('SIGTERM');
    await exited;
    await bigip.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function medianPhases(all: Phases[]): Phases {
  const names = [...new Set(all.flatMap((p) => Object.keys(p ?? {})))];
  return Object.fromEntries(names.map((n) => [n, round(median(all.map((p) => p?.[n] ?? 0)))]));
}

function report(firsts: FirstPost[], changes: Change[]): void {
  const m = (f: (x: FirstPost) => number): number => round(median(firsts.map(f)));
  const c = (f: (x: Change) => number): number => round(median(changes.map(f)));
  const rows: Array<[string, string, string]> = [
    ['start → first post (ms)', String(m((x) => x.startToFirstPostMs)), '≤ 3000'],
    ['  start → device holds it (ms)', String(m((x) => x.startToHeldMs)), ''],
    ['  process start, config, BIG-IP client (ms)', String(m((x) => x.processStartMs)), ''],
    ['  first list of the cluster (ms)', String(m((x) => x.listMs)), ''],
    ['  leader lease (ms)', String(m((x) => x.leaseMs)), ''],
    ['  first pass, whole (ms)', String(m((x) => x.passMs)), ''],
    ['  first pass, fake BIG-IP work (ms)', String(m((x) => x.deviceMs)), ''],
    ...Object.entries(medianPhases(firsts.map((x) => x.phases))).map(([k, v]): [string, string, string] => [
      `  first pass phase ${k} (ms)`,
      String(v),
      '',
    ]),
    ['patch → device holds it (ms)', String(c((x) => x.totalMs)), '≤ 300'],
    ['  watch latency (ms)', String(c((x) => x.watchMs)), ''],
    ['  kube-as3 own part (ms)', String(c((x) => x.ownMs)), '≤ 20'],
    ['  fake BIG-IP work (ms)', String(c((x) => x.deviceMs)), ''],
    ['  change pass, whole (ms)', String(c((x) => x.passMs)), ''],
    ...Object.entries(medianPhases(changes.map((x) => x.phases))).map(([k, v]): [string, string, string] => [
      `  change pass phase ${k} (ms)`,
      String(v),
      '',
    ]),
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`${'measure'.padEnd(width)}  median   target`);
  for (const [name, value, target] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(7)}  ${target}`);
}

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  if (args.build && spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' }).status !== 0)
    throw new Error('npm run build failed');
  // Compiled before any clock starts: the fake BIG-IP's schema check is the device's cost, not its start-up.
  if (args.officialSchema) compileOfficialSchema();
  const w: Workload = { n: args.vs, clusters: 1, membersPerService: 3, mode: 'cluster' };
  console.error(`starting envtest, creating ${args.vs} VirtualServers with their Services and EndpointSlices ...`);
  const env = await startEnvtest();
  try {
    await env.installCrds();
    const created = await createWorkload(env, w);
    console.error(
      `${created} objects created; load average ${(await import('node:os'))
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const firsts: FirstPost[] = [];
    const changes: Change[] = [];
    for (let run = 1; run <= args.runs; run++) {
      const result = await oneRun(env, w, args, run);
      firsts.push(result.first);
      changes.push(...result.changes);
    }
    console.log(JSON.stringify({ firsts, changes }));
    report(firsts, changes);
  } finally {
    await env.stop();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
