/** The readable summary printed after the JSON lines: figures, docs/benchmarks.md targets, CIS figures. */
import type { Measurement } from './run.js';
import { RATIOS } from './generate.js';

/** docs/benchmarks.md, at N = 10,000 × 3 clusters (also applied to the smaller scenarios). */
const TARGETS = { coldMs: 1000, changeMs: 10, rssMiB: 400 };

/** CIS v2.17.1 measured on the same workload, 3 endpoints per Service in one cluster. */
const CIS: Array<{ mode: string; n: number; coldMs: number; changeMs?: number; rssMiB: number; bytes: number; changedBytes?: number }> = [
  { mode: 'cluster', n: 1_000, coldMs: 144, rssMiB: 77, bytes: 1_182_654 },
  { mode: 'cluster', n: 5_000, coldMs: 3_520, rssMiB: 284, bytes: 5_980_208 },
  { mode: 'cluster', n: 10_000, coldMs: 11_490, changeMs: 400, rssMiB: 513, bytes: 11_989_702, changedBytes: 11_989_702 },
  { mode: 'nodeport', n: 10_000, coldMs: 10_780, rssMiB: 478, bytes: 12_420_787 },
];

const num = (v: number, digits = 0): string => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function misses(m: Measurement): string {
  const out: string[] = [];
  if (m.coldMs > TARGETS.coldMs) out.push('cold');
  if (m.changeMedianMs > TARGETS.changeMs) out.push('change');
  if (m.peakRssMiB > TARGETS.rssMiB) out.push('rss');
  if (m.translatedOnChange !== 1) out.push('translated');
  // The post of one change must not exceed the changed application (plus the per-app wrapper).
  if (m.postedBytesOnChange > m.changedAppBytes + 200) out.push('posted');
  return out.length === 0 ? 'met' : `missed: ${out.join(', ')}`;
}

/** `3` for one cluster; `3x3 <set mode>` for three clusters with three endpoints per Service each. */
function members(m: Measurement): string {
  if (m.clusters === 1) return String(m.membersPerService);
  const shape = `${m.clusters}x${m.membersPerService}`;
  return m.setMode === 'ratio' ? `${shape} ratio ${RATIOS.join('/')}` : `${shape} ${m.setMode ?? ''}`.trimEnd();
}

function render(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c < 3 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function printTable(results: Measurement[]): void {
  const header = [
    'who',
    'mode',
    'N × members',
    'cold ms',
    'stringify ms',
    'change ms (med/max)',
    'translated',
    'peak RSS MiB',
    'declaration B',
    'changed app B',
    'apply ms',
    'posted B',
    'targets',
  ];
  const rows: string[][] = [header];
  for (const m of results) {
    rows.push([
      'kube-as3',
      m.mode,
      `${num(m.n)} × ${members(m)}`,
      num(m.coldMs, 1),
      num(m.stringifyMs, 1),
      `${num(m.changeMedianMs, 2)} / ${num(m.changeMaxMs, 2)}`,
      String(m.translatedOnChange),
      num(m.peakRssMiB, 1),
      num(m.declarationBytes),
      num(m.changedAppBytes),
      num(m.applyChangeMedianMs, 2),
      num(m.postedBytesOnChange),
      misses(m),
    ]);
  }
  rows.push([
    'target',
    'any',
    '10,000 × 3x3',
    `≤ ${num(TARGETS.coldMs)}`,
    '',
    `≤ ${TARGETS.changeMs}`,
    '1',
    `≤ ${TARGETS.rssMiB}`,
    '',
    '≤ 1 application',
    '',
    '≤ changed app',
    '',
  ]);
  for (const c of CIS) {
    rows.push([
      'CIS v2.17.1',
      c.mode,
      `${num(c.n)} × 3`,
      num(c.coldMs, 0),
      '',
      c.changeMs === undefined ? '' : num(c.changeMs),
      c.changeMs === undefined ? '' : 'all',
      num(c.rssMiB, 0),
      num(c.bytes),
      c.changedBytes === undefined ? '' : `~${num(c.changedBytes)} (tenant)`,
      '',
      '',
      '',
    ]);
  }
  console.log('');
  console.log(render(rows));
  console.log('');
  console.log('cold = populateCluster of every cluster + first Planner.plan (JSON.stringify of the declaration shown apart);');
  console.log(
    `change = upsert of one new EndpointSlice (nodeportlocal: Pod) + plan(), ${results[0]?.changes ?? 0} changes in different Services.`,
  );
  console.log('3x3 = three clusters (c1, c2, c3), each a ClusterState holding identical copies of the N VirtualServers and');
  console.log('Services plus its own 3 Nodes and 3 endpoints per Service (pod and node addresses differ per cluster), planned');
  console.log(
    `together as one ClusterSet: active-active (one pool with all 9 members) or ratio (cluster ratios ${RATIOS.join('/')} as member`,
  );
  console.log('ratios). Each change moves an endpoint in ONE cluster, the clusters taking turns, and re-plans the same ClusterSet.');
  console.log('Peak RSS is the whole child process (Node + tsx + generated input objects of every cluster). CIS cold includes its');
  console.log('process start and is measured with 3 endpoints in one cluster; its change re-sends the whole tenant. apply =');
  console.log('ApplyEngine.apply after the change (diff against last applied, post body built, device in memory); posted = bytes');
  console.log('of that post (0 when NodePort members hide the endpoint move: the declaration did not change).');
}
