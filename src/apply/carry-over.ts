/**
 * docs/multi-cluster.md: "an unreachable cluster keeps its last known members … it does not empty pools". When
 * a cluster cannot be read, the plan knows nothing of its resources and Services, so before diff
 * and apply compare with the BIG-IP, the desired state takes back from the BIG-IP's current
 * declaration:
 * - in every pool the plan also has, the member entries that kube-as3 marked as that cluster's
 *   (`remark: cluster <name>`), so traffic keeps flowing to it;
 * - every application (and tenant) the plan no longer has: it may have come from that cluster,
 *   and nothing is deleted because of a transient failure; deletions wait until every cluster
 *   can be read again;
 * - in `Shared`, the objects the plan lacks (the Service_Address of a kept application, say).
 */
import type { As3Application, As3Object, As3Tenant } from '../model/as3-types.js';
import { remarkCluster } from '../translate/pool.js';
import { isRecord } from '../lib/is-record.js';

export interface CarryOver {
  tenants: Map<string, As3Tenant>;
  /** `tenant/application` kept as the BIG-IP has them. */
  keptApplications: string[];
  /** Member entries (one per port/ratio/cluster group) kept in pools the plan has. */
  keptMembers: number;
}

type MemberEntry = Record<string, unknown>;

function isApplication(value: unknown): value is As3Application {
  return isRecord(value) && value['class'] === 'Application';
}

function sameEntry(a: MemberEntry, b: MemberEntry): boolean {
  return a['servicePort'] === b['servicePort'] && JSON.stringify(a['serverAddresses']) === JSON.stringify(b['serverAddresses']);
}

/** The desired pool plus the current pool's entries of unreadable clusters it lacks. */
function poolWithKept(desired: As3Object, current: unknown, unreadable: ReadonlySet<string>): { pool: As3Object; kept: number } {
  if (!isRecord(current) || current['class'] !== 'Pool' || !Array.isArray(current['members'])) return { pool: desired, kept: 0 };
  const members = Array.isArray(desired['members']) ? (desired['members'] as MemberEntry[]) : [];
  const keep = (current['members'] as unknown[]).filter((m): m is MemberEntry => {
    if (!isRecord(m)) return false;
    const cluster = remarkCluster(m['remark']);
    return cluster !== undefined && unreadable.has(cluster) && !members.some((d) => sameEntry(d, m));
  });
  if (keep.length === 0) return { pool: desired, kept: 0 };
  return { pool: { ...desired, members: [...members, ...keep] }, kept: keep.length };
}

function applicationWithKept(
  desired: As3Application,
  current: As3Application,
  shared: boolean,
  unreadable: ReadonlySet<string>,
): { app: As3Application; kept: number } {
  let app = desired;
  let kept = 0;
  for (const [name, obj] of Object.entries(current)) {
    const own = desired[name];
    if (shared && own === undefined) {
      app = { ...app, [name]: obj };
      continue;
    }
    if (!isRecord(own) || own['class'] !== 'Pool') continue;
    const result = poolWithKept(own as As3Object, obj, unreadable);
    if (result.kept > 0) {
      app = { ...app, [name]: result.pool };
      kept += result.kept;
    }
  }
  return { app, kept };
}

/**
 * The desired tenants with what the BIG-IP holds from `unreadable` clusters kept (see above).
 * `current`: the tenants this kube-as3 instance owns on the BIG-IP. Objects are copied where they
 * change; the inputs are never modified.
 */
export function carryOverUnreadable(
  desired: ReadonlyMap<string, As3Tenant>,
  current: ReadonlyMap<string, As3Tenant>,
  unreadable: readonly string[],
): CarryOver {
  const tenants = new Map(desired);
  const out: CarryOver = { tenants, keptApplications: [], keptMembers: 0 };
  if (unreadable.length === 0) return out;
  const clusters = new Set(unreadable);
  for (const [name, tenant] of current) {
    const wanted = tenants.get(name);
    if (!wanted) {
      tenants.set(name, tenant);
      for (const [app, value] of Object.entries(tenant)) if (isApplication(value)) out.keptApplications.push(`${name}/${app}`);
      continue;
    }
    let merged = wanted;
    for (const [app, value] of Object.entries(tenant)) {
      if (!isApplication(value)) continue;
      const own = wanted[app];
      if (!isApplication(own)) {
        merged = { ...merged, [app]: value };
        out.keptApplications.push(`${name}/${app}`);
        continue;
      }
      const result = applicationWithKept(own, value, own.template === 'shared', clusters);
      if (result.app !== own) merged = { ...merged, [app]: result.app };
      out.keptMembers += result.kept;
    }
    if (merged !== wanted) tenants.set(name, merged);
  }
  return out;
}

/** One line for the user: what was kept, and why. */
export function describeCarryOver(result: CarryOver, unreadable: readonly string[]): string | undefined {
  if (unreadable.length === 0) return undefined;
  const parts = [`${result.keptMembers} pool member entr${result.keptMembers === 1 ? 'y' : 'ies'}`];
  if (result.keptApplications.length > 0)
    parts.push(`${result.keptApplications.length} application(s) the plan no longer has (${result.keptApplications.join(', ')})`);
  return `cluster${unreadable.length === 1 ? '' : 's'} ${unreadable.join(', ')} cannot be read: kept ${parts.join(' and ')} as the BIG-IP has them; deletions wait until every cluster can be read`;
}
