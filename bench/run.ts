/**
 * `npm run bench`: measures translation speed, change latency, memory and declaration size on
 * the SPEC §12 workload (see bench/generate.ts). Each scenario runs in a fresh child process so
 * that peak RSS and JIT/GC state of one scenario do not leak into the next.
 *
 *   npm run bench                      all scenarios (N = 1,000 and 10,000)
 *   npm run bench -- --quick           N = 1,000 only
 *   npm run bench -- --only=nodeport   scenarios whose id contains any of the comma-separated
 *                                      terms (also BENCH_ONLY=...), ids like cluster-10000-3x3
 *
 * Prints one JSON line per scenario, then a table beside the SPEC §12 targets and the CIS figures.
 * Targets are shown, never asserted.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { validateConfig } from '../src/config/parse-config.js';
import { populateCluster } from '../src/inventory/populate.js';
import { ApplyEngine } from '../src/apply/engine.js';
import type { As3Api, DeployOutcome } from '../src/bigip/as3-api.js';
import { Planner } from '../src/plan/planner.js';
import type { Plan } from '../src/plan/planner.js';
import type { As3Tenant } from '../src/translate/as3-types.js';
import { NAMESPACE, endpointSlice, generateObjects, nplPort, pod, podAddress } from './generate.js';
import type { Workload } from './generate.js';
import { printTable } from './report.js';

type Mode = 'cluster' | 'nodeport' | 'nodeportlocal' | 'auto';

export interface Scenario {
  id: string;
  /** Human label, e.g. `members=3x3 (emulated)`. */
  scenario: string;
  mode: Mode;
  n: number;
  membersPerService: number;
}

export interface Measurement extends Scenario {
  coldMs: number;
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

function scenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const n of [1_000, 10_000]) {
    for (const clusters of [1, 3]) {
      for (const mode of ['cluster', 'nodeport', 'nodeportlocal', 'auto'] as const) {
        const shape = clusters === 1 ? '3' : '3x3';
        out.push({
          id: `${mode}-${n}-${shape}`,
          // Multi-cluster is not implemented yet: 3 clusters' members are 9 endpoints (and 9 Nodes) in one cluster.
          scenario: clusters === 1 ? 'members=3 (1 cluster)' : 'members=3x3 (emulated)',
          mode,
          n,
          membersPerService: 3 * clusters,
        });
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

/** Runs one scenario in this process (the child side). */
async function measure(s: Scenario): Promise<Measurement> {
  const result = validateConfig({ poolMemberType: s.mode, bigip: { partition: PARTITION } });
  if (!result.config) throw new Error(result.errors.join('; '));
  const workload: Workload = { n: s.n, membersPerService: s.membersPerService, mode: s.mode };
  const objects = generateObjects(workload);
  gc();

  // 1. Cold: inventory from the in-memory objects, then the first plan.
  let t = performance.now();
  const { state } = populateCluster('bench', objects);
  const populateMs = ms(t);
  t = performance.now();
  const planner = new Planner(result.config);
  let plan = planner.plan(state);
  const firstPlanMs = ms(t);
  t = performance.now();
  const declarationBytes = Buffer.byteLength(JSON.stringify(plan.declaration));
  const stringifyMs = ms(t);

  const apps = Object.keys(tenantOf(plan)).filter((k) => (tenantOf(plan)[k] as { class?: string }).class === 'Application');
  const errors = plan.diagnostics.filter((d) => d.severity === 'error');
  if (apps.length !== s.n || errors.length > 0) {
    throw new Error(`workload not translated as expected: ${apps.length} applications, ${errors.length} errors (${errors[0]?.message ?? ''})`);
  }

  const device = new CountingAs3();
  const engine = new ApplyEngine({ api: device, instance: 'bench', schemaVersion: '3.56.0' });
  await engine.apply(applyInput(plan));
  const applyTimes: number[] = [];
  let postedBytesOnChange = 0;

  // 2. One endpoint change at a time, each in a different Service (in nodeportlocal mode, a Pod
  //    whose NodePortLocal port changed: that is what moves members there).
  const times: number[] = [];
  const translated = new Set<number>();
  let changedAppBytes = 0;
  for (let c = 1; c <= CHANGES; c++) {
    const i = Math.floor(((c - 0.5) * s.n) / CHANGES);
    const slice = endpointSlice(i, workload, c);
    const movedPod = pod(i, 0, c);
    const before = tenantOf(plan);
    t = performance.now();
    if (s.mode === 'nodeportlocal') state.upsert(movedPod, 'Pod');
    else state.upsert(slice, 'EndpointSlice');
    plan = planner.plan(state);
    times.push(ms(t));
    translated.add(plan.translated);
    // The changed application is the one object the planner did not reuse.
    const after = tenantOf(plan);
    const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
    if (changed.length !== 1) throw new Error(`expected one changed application, got ${changed.length}`);
    const appJson = JSON.stringify(after[changed[0] as string]);
    const expected = s.mode === 'nodeportlocal' ? `"servicePort":${nplPort(i, 0, c)}` : `"${podAddress(i, 0, s.membersPerService, c)}"`;
    const visible = s.mode === 'cluster' || s.mode === 'nodeportlocal' || (s.mode === 'auto' && i % 2 === 0);
    if (visible && !appJson.includes(expected)) {
      throw new Error(`the changed endpoint of ${NAMESPACE}/app-${i} is not in its application`);
    }
    changedAppBytes = Math.max(changedAppBytes, Buffer.byteLength(appJson));
    t = performance.now();
    const report = await engine.apply(applyInput(plan));
    applyTimes.push(ms(t));
    if (report.posts !== 1) throw new Error(`expected one post per change, got ${report.posts}`);
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

function selected(argv: string[]): Scenario[] {
  const only = (argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? process.env['BENCH_ONLY'] ?? '')
    .split(',').map((t) => t.trim()).filter((t) => t !== '');
  return scenarios()
    .filter((s) => !argv.includes('--quick') || s.n === 1_000)
    .filter((s) => only.length === 0 || only.some((term) => s.id.includes(term)));
}

async function main(argv: string[]): Promise<void> {
  const childAt = argv.indexOf('--child');
  if (childAt >= 0) {
    console.log(JSON.stringify(await measure(JSON.parse(argv[childAt + 1] ?? '') as Scenario)));
    return;
  }
  if (!(globalThis as { gc?: unknown }).gc) console.error('note: run with --expose-gc (npm run bench does) for steadier figures');
  const list = selected(argv);
  if (list.length === 0) throw new Error('no scenario matches; ids look like cluster-10000-3x3, nodeport-1000-3');
  const results: Measurement[] = [];
  for (const s of list) {
    console.error(`running ${s.id} ...`);
    const m = await runChild(s);
    console.log(JSON.stringify(m));
    results.push(m);
  }
  printTable(results);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
