/** The table of the end-to-end CLI scenarios (bench/cli.ts), each beside its target. Targets are shown, never asserted. */
import { CLI_RUNS } from './cli.js';
import type { CliMeasurement, CliTarget } from './cli.js';

const ms = (v: number): string => `${Math.round(v).toLocaleString('en-US')} ms`;

function targetText(t: CliTarget): string {
  const parts: string[] = [];
  if (t.overNodeMs !== undefined) parts.push(`≤ node -e 0 + ${t.overNodeMs} ms`);
  if (t.wallMs !== undefined) parts.push(`≤ ${ms(t.wallMs)}`);
  if (t.rssMiB !== undefined) parts.push(`≤ ${t.rssMiB} MiB`);
  return parts.length > 0 ? parts.join(', ') : (t.note ?? '');
}

function verdict(m: CliMeasurement, nodeMs: number): string {
  const t = m.target;
  if (t.overNodeMs === undefined && t.wallMs === undefined && t.rssMiB === undefined) return '';
  const missed: string[] = [];
  if (t.overNodeMs !== undefined && m.wallMs - nodeMs > t.overNodeMs) missed.push('time');
  if (t.wallMs !== undefined && m.wallMs > t.wallMs) missed.push('time');
  if (t.rssMiB !== undefined && m.rssMiB > t.rssMiB) missed.push('rss');
  return missed.length === 0 ? 'met' : `missed: ${missed.join(', ')}`;
}

function render(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === 0 || c === 1 || c >= 6 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function printCliTable(results: CliMeasurement[]): void {
  const nodeMs = results.find((m) => m.id === 'cli-node')?.wallMs ?? 0;
  const rows: string[][] = [
    [
      'end to end (child process)',
      'input',
      `wall (median of ${CLI_RUNS})`,
      'over node -e 0',
      'peak RSS MiB',
      'load avg 1 min',
      'target',
      '',
    ],
  ];
  for (const m of results) {
    const loads = m.runs.map((r) => r.load1);
    rows.push([
      m.label,
      m.input,
      ms(m.wallMs),
      m.id === 'cli-node' ? '' : `+${ms(m.wallMs - nodeMs)}`,
      m.rssMiB.toFixed(0),
      `${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`,
      targetText(m.target),
      verdict(m, nodeMs),
    ]);
  }
  console.log('');
  console.log(render(rows));
  console.log('');
  console.log('Each row: the built bin/kube-as3.js (or node -e 0) in a fresh process, stdout to /dev/null, one unmeasured run first;');
  console.log("wall = spawn to exit as the parent sees it; peak RSS = the child's maximum resident set; load avg = the machine's");
  console.log('1-minute load average before each run (min–max). Targets (issue 16) hold on a quiet machine (load below 0.5).');
}
