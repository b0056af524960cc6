/**
 * `npm run bench`: measures translation speed, change latency, memory and declaration size on
 * the workload of bench/generate.ts (docs/benchmarks.md). Each scenario runs in a fresh child process so
 * that peak RSS and JIT/GC state of one scenario do not leak into the next.
 *
 *   npm run bench                      all scenarios (N = 1,000 and 10,000)
 *   npm run bench -- --quick           N = 1,000 only (the CLI scenarios at a tenth of their size)
 *   npm run bench -- --only=nodeport   scenarios whose id contains any of the comma-separated
 *                                      terms (also BENCH_ONLY=...), ids like cluster-10000-3x3
 *                                      (3x3: three clusters planned as one ClusterSet)
 *   npm run bench -- --only=cli        only the end-to-end CLI scenarios (bench/cli.ts), ids like
 *                                      cli-help, cli-plan-10000-3x-json; `node -e 0` always runs with them
 *   npm run bench -- --only=run        only the live controller (bench/run-controller.ts: envtest,
 *                                      1,000 VirtualServers, the fake BIG-IP; --quick: 100)
 *
 * Prints one JSON line per scenario, then a table beside the docs/benchmarks.md targets and the CIS figures,
 * then the CLI scenarios' table and the live controller's, each beside its targets. Targets are
 * shown, never asserted.
 */
import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Config } from '../src/config/config.js';
import { validateConfig } from '../src/config/parse-config.js';
import { ClusterSet } from '../src/inventory/cluster-set.js';
import type { ClusterState } from '../src/inventory/cluster-state.js';
import { populateCluster } from '../src/inventory/populate.js';
import { ApplyEngine } from '../src/apply/engine.js';
import type { As3Api, DeployOutcome } from '../src/bigip/as3-api.js';
import { Planner } from '../src/plan/planner.js';
import type { Plan } from '../src/plan/plan.js';
import type { As3Tenant } from '../src/model/as3-types.js';
import { NAMESPACE, RATIOS, clusterName, endpointSlice, generateObjects, nplPort, pod, podAddress } from './generate.js';
import type { Workload } from './generate.js';
import { printTable } from './report.js';
import { cliScenarios, measureCli } from './cli.js';
import { printCliTable } from './cli-report.js';

type Mode = 'cluster' | 'nodeport' | 'nodeportlocal' | 'auto';
/** How the cluster set makes a pool from the clusters' members (docs/multi-cluster.md). */
export type SetMode = 'active-active' | 'ratio';

export interface Scenario {
  id: string;
  /** Human label, e.g. `members=3x3 (3 clusters, active-active)`. */
  scenario: string;
  mode: Mode;
  n: number;
  /** 1: one ClusterState planned alone; more: that many ClusterStates planned as one ClusterSet. */
  clusters: number;
  /** Endpoints per Service in each cluster (and Nodes per cluster). */
  membersPerService: number;
  /** The cluster set's mode; only when clusters > 1. */
  setMode?: SetMode;
}

export interface Measurement extends Scenario {
  coldMs: number;
  /** populateCluster of every cluster (plus building the ClusterSet). */
  populateMs: number;
  firstPlanMs: number;
  stringifyMs: number;
  changeMedianMs: number;
  changeMaxMs: number;
  changes: number;
  /** Applications re-translated per change (the same for every change, or -1 if they differed). */
  translatedOnChange: number;
  peakRssMiB: number;
  declarationBytes: number;
  changedAppBytes: number;
  /** ApplyEngine.apply after each change (diff against last applied, post body built): median ms. */
  applyChangeMedianMs: number;
  /** Largest request body the engine sent for one change. */
  postedBytesOnChange: number;
}

/** A BIG-IP that accepts everything and only counts the bytes it is sent (the engine's cost, not the network's). */
class CountingAs3 implements As3Api {
  lastBytes = 0;
  private readonly ok: DeployOutcome = { status: 'ok', httpStatus: 200, results: [], errors: [] };
  info(): Promise<{ version: string; schemaCurrent: string; perApplication: boolean }> {
    return Promise.resolve({ version: '3.56.0', schemaCurrent: '3.56.0', perApplication: true });
  }
  currentDeclaration(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
  deployTenants(_tenants: string[], body: unknown): Promise<DeployOutcome> {
    this.lastBytes = Buffer.byteLength(JSON.stringify(body));
    return Promise.resolve(this.ok);
  }
  deployApplications(_tenant: string, schemaVersion: string, apps: Record<string, unknown>): Promise<DeployOutcome> {
    this.lastBytes = Buffer.byteLength(JSON.stringify({ schemaVersion, ...apps }));
    return Promise.resolve(this.ok);
  }
}

function applyInput(plan: Plan): Parameters<ApplyEngine['apply']>[0] {
  return { tenants: plan.tenants, sourcesOf: (t, a) => plan.sourcesOf(t, a) };
}

const CHANGES = 20;
const PARTITION = 'bench';
const MEMBERS = 3;

function scenario(mode: Mode, n: number, clusters: number, setMode?: SetMode): Scenario {
  if (clusters === 1) return { id: `${mode}-${n}-3`, scenario: 'members=3 (1 cluster)', mode, n, clusters, membersPerService: MEMBERS };
  const suffix = setMode === 'ratio' ? '-ratio' : '';
  const label = setMode === 'ratio' ? `ratio ${RATIOS.join('/')}` : 'active-active';
  return {
    id: `${mode}-${n}-3x3${suffix}`,
    scenario: `members=3x3 (3 clusters, ${label})`,
    mode,
    n,
    clusters,
    membersPerService: MEMBERS,
    setMode,
  };
}

function scenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const n of [1_000, 10_000]) {
    for (const clusters of [1, 3]) {
      for (const mode of ['cluster', 'nodeport', 'nodeportlocal', 'auto'] as const) {
        out.push(scenario(mode, n, clusters, clusters === 1 ? undefined : 'active-active'));
        // Weighted members (cluster ratios) cost more per pool: measured on the docs/benchmarks.md size only.
        if (clusters === 3 && mode === 'cluster' && n === 10_000) out.push(scenario(mode, n, clusters, 'ratio'));
      }
    }
  }
  return out;
}

const ms = (from: number): number => Math.round((performance.now() - from) * 1000) / 1000;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function tenantOf(plan: { tenants: Map<string, As3Tenant> }): As3Tenant {
  const tenant = plan.tenants.get(PARTITION);
  if (!tenant) throw new Error(`the plan has no tenant ${PARTITION}`);
  return tenant;
}

/** The scenario's configuration: with three clusters, a `multiCluster` section naming c1, c2, c3. */
function configFor(s: Scenario, w: Workload): Config {
  const names = Array.from({ length: s.clusters }, (_, c) => clusterName(w, c));
  const clusters = names.map((name, c) => (s.setMode === 'ratio' ? { name, ratio: RATIOS[c] } : { name }));
  const multiCluster = s.setMode ? { multiCluster: { mode: s.setMode, clusters } } : {};
  const result = validateConfig({ poolMemberType: s.mode, bigip: { partition: PARTITION }, ...multiCluster });
  if (!result.config) throw new Error(result.errors.join('; '));
  return result.config;
}

/**
 * The clusters' states from their objects, and what the planner is given: the one state, or a
 * ClusterSet built once over all states. The set holds the states themselves, so a change
 * upserted into a state is what the next plan of the same set sees.
 */
function populate(
  config: Config,
  w: Workload,
  objects: ReturnType<typeof generateObjects>[],
): { states: ClusterState[]; input: ClusterState | ClusterSet } {
  const states = objects.map((list, c) => populateCluster(clusterName(w, c), list).state);
  if (!config.multiCluster) return { states, input: states[0] as ClusterState };
  const input = ClusterSet.fromConfig(config.multiCluster, new Map(states.map((state) => [state.name, state])));
  const unreadable = input.clusters.filter((c) => c.unreadable !== undefined);
  if (unreadable.length > 0) throw new Error(`cluster ${unreadable[0]?.name ?? ''} has no state: ${unreadable[0]?.unreadable ?? ''}`);
  return { states, input };
}

interface Run {
  s: Scenario;
  w: Workload;
  planner: Planner;
  states: ClusterState[];
  input: ClusterState | ClusterSet;
  plan: Plan;
}

/**
 * Change number `c`: one endpoint of one Service moves in ONE cluster (the clusters take turns);
 * in nodeportlocal mode, a Pod whose NodePortLocal port changed, as that is what moves members
 * there. Re-plans and checks that exactly the Service's application changed and shows the move.
 */
function change(run: Run, c: number): { ms: number; translated: number; appBytes: number; visible: boolean } {
  const { s, w } = run;
  const i = Math.floor(((c - 0.5) * s.n) / CHANGES);
  const cluster = (c - 1) % s.clusters;
  const state = run.states[cluster] as ClusterState;
  const slice = endpointSlice(i, w, cluster, c);
  const movedPod = pod(i, cluster, 0, c);
  const before = tenantOf(run.plan);
  const t = performance.now();
  if (s.mode === 'nodeportlocal') state.upsert(movedPod, 'Pod');
  else state.upsert(slice, 'EndpointSlice');
  run.plan = run.planner.plan(run.input);
  const elapsed = ms(t);
  // The changed application is the one object the planner did not reuse.
  const after = tenantOf(run.plan);
  const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
  if (changed.length !== 1) throw new Error(`expected one changed application, got ${changed.length}`);
  const appJson = JSON.stringify(after[changed[0] as string]);
  const expected = s.mode === 'nodeportlocal' ? `"servicePort":${nplPort(i, 0, c)}` : `"${podAddress(w, i, cluster, 0, c)}"`;
  // NodePort members are Node addresses: an endpoint move leaves such an application as it was.
  const visible = s.mode === 'cluster' || s.mode === 'nodeportlocal' || (s.mode === 'auto' && i % 2 === 0);
  if (visible && !appJson.includes(expected)) {
    throw new Error(`the changed endpoint of ${NAMESPACE}/app-${i} in cluster ${state.name} is not in its application`);
  }
  return { ms: elapsed, translated: run.plan.translated, appBytes: Buffer.byteLength(appJson), visible };
}

/** Runs one scenario in this process (the child side). */
async function measure(s: Scenario): Promise<Measurement> {
  const w: Workload = { n: s.n, clusters: s.clusters, membersPerService: s.membersPerService, mode: s.mode };
  const config = configFor(s, w);
  const objects = Array.from({ length: s.clusters }, (_, c) => generateObjects(w, c));
  gc();

  // 1. Cold: every cluster's inventory from the in-memory objects, then the first plan.
  let t = performance.now();
  const { states, input } = populate(config, w, objects);
  const populateMs = ms(t);
  t = performance.now();
  const planner = new Planner(config);
  const run: Run = { s, w, planner, states, input, plan: planner.plan(input) };
  const firstPlanMs = ms(t);
  t = performance.now();
  const declarationBytes = Buffer.byteLength(JSON.stringify(run.plan.declaration));
  const stringifyMs = ms(t);

  const tenant = tenantOf(run.plan);
  const apps = Object.keys(tenant).filter((k) => (tenant[k] as { class?: string }).class === 'Application');
  const errors = run.plan.diagnostics.filter((d) => d.severity === 'error');
  if (apps.length !== s.n || errors.length > 0) {
    throw new Error(
      `workload not translated as expected: ${apps.length} applications, ${errors.length} errors (${errors[0]?.message ?? ''})`,
    );
  }

  const device = new CountingAs3();
  const engine = new ApplyEngine({ api: device, instance: 'bench', schemaVersion: '3.56.0' });
  await engine.apply(applyInput(run.plan));

  // 2. One endpoint change at a time, each in a different Service, then the engine's post.
  const times: number[] = [];
  const applyTimes: number[] = [];
  const translated = new Set<number>();
  let changedAppBytes = 0;
  let postedBytesOnChange = 0;
  for (let c = 1; c <= CHANGES; c++) {
    const one = change(run, c);
    times.push(one.ms);
    translated.add(one.translated);
    changedAppBytes = Math.max(changedAppBytes, one.appBytes);
    device.lastBytes = 0;
    t = performance.now();
    const report = await engine.apply(applyInput(run.plan));
    applyTimes.push(ms(t));
    // A change the declaration does not show (NodePort members) must cost no post at all.
    const expectedPosts = one.visible ? 1 : 0;
    if (report.posts !== expectedPosts) throw new Error(`expected ${expectedPosts} post(s) for change ${c}, got ${report.posts}`);
    postedBytesOnChange = Math.max(postedBytesOnChange, device.lastBytes);
  }

  return {
    ...s,
    coldMs: Math.round((populateMs + firstPlanMs) * 1000) / 1000,
    populateMs,
    firstPlanMs,
    stringifyMs,
    changeMedianMs: Math.round(median(times) * 1000) / 1000,
    changeMaxMs: Math.max(...times),
    changes: CHANGES,
    translatedOnChange: translated.size === 1 ? ([...translated][0] as number) : -1,
    peakRssMiB: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
    declarationBytes,
    changedAppBytes,
    applyChangeMedianMs: Math.round(median(applyTimes) * 1000) / 1000,
    postedBytesOnChange,
  };
}

/** Runs one scenario in a fresh Node process with the same flags (--expose-gc, tsx). */
function runChild(s: Scenario): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const args = [...process.execArgv, fileURLToPath(import.meta.url), '--child', JSON.stringify(s)];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`scenario ${s.id} failed (exit ${code})`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as Measurement);
      } catch (err) {
        reject(new Error(`scenario ${s.id} printed no measurement: ${(err as Error).message}`));
      }
    });
  });
}

function onlyTerms(argv: string[]): string[] {
  return (argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? process.env['BENCH_ONLY'] ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

function selected(argv: string[]): Scenario[] {
  const only = onlyTerms(argv);
  return scenarios()
    .filter((s) => !argv.includes('--quick') || s.n === 1_000)
    .filter((s) => only.length === 0 || only.some((term) => s.id.includes(term)));
}

/** The CLI scenarios selected, with `node -e 0` whenever any is (their figures are read against it). */
function selectedCli(argv: string[]): ReturnType<typeof cliScenarios> {
  const only = onlyTerms(argv);
  const all = cliScenarios(argv.includes('--quick'));
  const chosen = all.filter((s) => only.length === 0 || only.some((term) => s.id.includes(term)));
  return chosen.length === 0 || chosen.some((s) => s.id === 'cli-node')
    ? chosen
    : all.filter((s) => s.id === 'cli-node' || chosen.includes(s));
}

async function main(argv: string[]): Promise<void> {
  const childAt = argv.indexOf('--child');
  if (childAt >= 0) {
    console.log(JSON.stringify(await measure(JSON.parse(argv[childAt + 1] ?? '') as Scenario)));
    return;
  }
  if (!(globalThis as { gc?: unknown }).gc) console.error('note: run with --expose-gc (npm run bench does) for steadier figures');
  const list = selected(argv);
  const cli = selectedCli(argv);
  const live = selectsLiveController(argv);
  if (list.length === 0 && cli.length === 0 && !live)
    throw new Error('no scenario matches; ids look like cluster-10000-3x3, nodeport-1000-3, cli-help, run');
  const results: Measurement[] = [];
  for (const s of list) {
    console.error(`running ${s.id} ...`);
    const m = await runChild(s);
    console.log(JSON.stringify(m));
    results.push(m);
  }
  const cliResults = measureCli(cli, (line) => console.error(line));
  for (const m of cliResults) console.log(JSON.stringify(m));
  if (results.length > 0) printTable(results);
  if (cliResults.length > 0) printCliTable(cliResults);
  if (live) measureLiveController(argv.includes('--quick'));
}

/** The live controller's rows (bench/run-controller.ts) run unless --only names other scenarios only. */
function selectsLiveController(argv: string[]): boolean {
  const only = onlyTerms(argv);
  return only.length === 0 || only.some((t) => t.startsWith('run'));
}

/**
 * `kube-as3 run` against a real API server and the fake BIG-IP, in its own process (it starts
 * envtest); its table follows the others. Without envtest it says why and the rest still stands.
 */
function measureLiveController(quick: boolean): void {
  console.log('\nthe live controller (bench/run-controller.ts, also npm run bench:run)');
  const args = [
    '--import',
    'tsx',
    fileURLToPath(new URL('./run-controller.ts', import.meta.url)),
    ...(quick ? ['--vs=100', '--runs=1', '--patches=3'] : []),
  ];
  const child = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (child.status !== 0)
    console.log(
      `not measured: bench/run-controller.ts exited with ${child.status ?? child.signal} (see above; it needs the envtest binaries of ../shared/envtest)`,
    );
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
