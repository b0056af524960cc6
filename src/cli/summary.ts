import type { Diagnostic } from '../kube/diagnostic.js';
import { describeRef, refKey } from '../kube/refs.js';
import type { IpamOutcome } from '../ipam/allocator.js';
import type { Plan } from '../plan/plan.js';
import { refFromKey } from '../apply/last-good.js';
import type { PoolMechanism } from '../translate/pool-shares.js';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/**
 * The human view of a plan: one row per route (virtual → host/path → pool → members), then totals.
 * Written for a NetOps reviewer: BIG-IP names (tenant, virtual, pool) and the Kubernetes resource
 * each row comes from.
 */
export function renderSummary(plan: Plan, problems: Diagnostic[]): string {
  const summary = plan.summary();
  // Routes of an invalid resource planned from its last good version say so.
  const kept = new Map([...plan.kept].map(([key, k]) => [describeRef(refFromKey(key)), k.version]));
  const rows = summary.map((r) => [
    r.tenant,
    r.virtual,
    r.listener,
    r.type,
    r.host,
    r.path,
    r.pool,
    r.members === undefined ? '-' : String(r.members),
    kept.has(r.source) ? `${r.source} (kept: ${kept.get(r.source) ?? ''})` : r.source,
  ]);
  const virtuals = new Set(summary.map((r) => `${r.tenant}/${r.application}`)).size;
  const pools = new Set(
    summary.filter((r) => !r.redirect).flatMap((r) => (r.pools ?? [r.pool]).map((p) => `${r.tenant}/${r.application}/${p}`)),
  );
  const withErrors = new Set(problems.filter((d) => d.severity === 'error').map((d) => refKey(d.ref))).size;
  const warnings = problems.filter((d) => d.severity === 'warning').length;
  const body =
    rows.length > 0
      ? table(['TENANT', 'VIRTUAL', 'LISTENER', 'TYPE', 'HOST', 'PATH', 'POOL', 'MEMBERS', 'FROM'], rows)
      : 'No virtual servers to create.';
  const totals =
    `${plan.tenants.size} tenant(s), ${virtuals} virtual(s), ${pools.size} pool(s); ` +
    `${withErrors} resource(s) or file(s) with errors, ${warnings} warning(s)`;
  return `${body}\n\n${totals}\n${keptSection(plan)}${sharesSection(plan)}${ipamSection(plan)}`;
}

/**
 * Invalid resources: their last good version stays on the BIG-IP. `plan` alone cannot see the
 * device, so it says what diff, apply and run do with them.
 */
function keptSection(plan: Plan): string {
  const invalid = [...plan.invalid].filter((key) => !plan.kept.has(key)).sort();
  if (invalid.length === 0) return '';
  const lines = invalid.map((key) => `  ${describeRef(refFromKey(key))}`);
  return `\nKEPT AS THE BIG-IP HAS THEM (invalid: diff, apply and run leave their last good version in place until fixed or deleted)\n${lines.join('\n')}\n`;
}

const MECHANISMS: Record<PoolMechanism, string> = {
  members: 'all members',
  'priority-groups': 'priority groups',
  'member-ratios': 'member ratios',
  'weighted-irule': 'weighted iRule',
};

function percent(fraction: number | undefined): string {
  return fraction === undefined ? '-' : `${Number((fraction * 100).toFixed(2))}%`;
}

/**
 * How each multi-cluster or weighted pool divides its traffic: per cluster and backend, the
 * configured share, the share the BIG-IP gives it with every member up, and the mechanism
 * (member ratios, the weighted-iRule fallback, priority groups, or all members alike).
 */
function sharesSection(plan: Plan): string {
  const pools = plan.shares();
  const all = pools.flatMap((p) => p.rows);
  if (all.length === 0) return '';
  // Priority groups and admin states only exist with several clusters: no empty columns otherwise.
  const priority = all.some((r) => r.priorityGroup !== undefined);
  const state = all.some((r) => r.cluster !== '-');
  const rows = pools.flatMap((p) =>
    p.rows.map((r) => [
      p.tenant,
      p.virtual,
      r.pool,
      MECHANISMS[p.mechanism],
      r.cluster,
      r.backend,
      String(r.members),
      percent(r.configured),
      percent(r.effective),
      ...(priority ? [r.priorityGroup === undefined ? '-' : String(r.priorityGroup)] : []),
      ...(state ? [r.adminState ?? 'enable'] : []),
    ]),
  );
  const header = [
    'TENANT',
    'VIRTUAL',
    'POOL',
    'MECHANISM',
    'CLUSTER',
    'BACKEND',
    'MEMBERS',
    'CONFIGURED',
    'EFFECTIVE',
    ...(priority ? ['PRIORITY'] : []),
    ...(state ? ['STATE'] : []),
  ];
  return `\nPOOL SHARES (effective: share of new connections with every member up)\n${table(header, rows)}\n`;
}

/** An IPAM outcome in one cell: the address (marked when kept against its label, see the warning), or the error. */
function ipamCell(outcome: IpamOutcome): string {
  if (!('address' in outcome)) return `error: ${outcome.error}`;
  return outcome.warning === undefined ? outcome.address : `${outcome.address} (kept: see warning)`;
}

/** The IPAM addresses of this plan: key, label, address (or why none), and who shares it. */
function ipamSection(plan: Plan): string {
  const assignments = plan.ipam?.assignments ?? [];
  if (assignments.length === 0) return '';
  const rows = assignments.map((a) => [a.key, a.label, ipamCell(a.outcome), a.resources.map(describeRef).join(', ')]);
  const releasing = Object.values(plan.ipam?.state.releasing ?? {});
  const labels = (plan.ipam?.usage ?? [])
    .map((u) => {
      const held = releasing.filter((r) => r.label === u.label).length;
      return `${u.label} ${u.allocated}/${u.capacity}${held > 0 ? ` (+${held} releasing)` : ''}`;
    })
    .join(', ');
  return `\nIPAM\n${table(['KEY', 'LABEL', 'ADDRESS', 'USED BY'], rows)}\n\nallocated per label: ${labels}\n`;
}
