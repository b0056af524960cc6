/**
 * What changed between the tenants last applied to a BIG-IP and the desired ones, per tenant and
 * per application (docs/reference/README.md–7): the apply engine sends only changed tenants (or applications), and
 * `kube-as3 diff` shows the same comparison. Pure: no I/O.
 */
import { isDeepStrictEqual } from 'node:util';
import fjp from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { As3Application, As3Tenant } from '../model/as3-types.js';

/** The tenant-level properties that are not applications. */
const TENANT_PROPERTIES = new Set(['class', 'label', 'remark', 'defaultRouteDomain', 'controls', 'enable', 'optimisticLockKey']);

export type TenantChangeKind = 'create' | 'update' | 'delete';

export interface TenantChange {
  tenant: string;
  kind: TenantChangeKind;
  /** Applications only in the desired tenant. */
  added: string[];
  /** Applications only in the applied tenant. */
  removed: string[];
  /** Applications in both, with different content. */
  changed: string[];
  /** Tenant-level properties (label, remark, ...) differ. */
  propertiesChanged: boolean;
}

function isApplicationKey(tenant: Record<string, unknown>, key: string): boolean {
  const value = tenant[key];
  return !TENANT_PROPERTIES.has(key) && typeof value === 'object' && value !== null;
}

/** The applications of a tenant by name (everything that is not a tenant-level property). */
export function applicationsOf(tenant: As3Tenant | undefined): Map<string, As3Application> {
  const out = new Map<string, As3Application>();
  if (!tenant) return out;
  for (const name of Object.keys(tenant)) if (isApplicationKey(tenant, name)) out.set(name, tenant[name] as As3Application);
  return out;
}

/** A tenant with no applications: AS3 deletes the tenant (and its partition) when it receives one. */
export function isEmptyTenant(tenant: As3Tenant | undefined): boolean {
  return tenant !== undefined && !Object.keys(tenant).some((key) => isApplicationKey(tenant, key));
}

function tenantProperties(tenant: As3Tenant | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of TENANT_PROPERTIES) if (tenant?.[name] !== undefined) out[name] = tenant[name];
  return out;
}

/**
 * The change of one tenant, or undefined when there is none. An absent or empty `desired` means
 * the tenant should be deleted (only when it exists in `applied`).
 */
export function diffTenant(name: string, applied: As3Tenant | undefined, desired: As3Tenant | undefined): TenantChange | undefined {
  const deleting = desired === undefined || isEmptyTenant(desired);
  if (deleting && (applied === undefined || isEmptyTenant(applied))) return undefined;
  const { added, changed, removed } = applicationChanges(applied ?? {}, deleting ? {} : desired);
  const propertiesChanged = !deleting && applied !== undefined && !isDeepStrictEqual(tenantProperties(applied), tenantProperties(desired));
  if (added.length + removed.length + changed.length === 0 && !propertiesChanged && applied !== undefined && !deleting) return undefined;
  const kind: TenantChangeKind = deleting ? 'delete' : applied === undefined || isEmptyTenant(applied) ? 'create' : 'update';
  return { tenant: name, kind, added, removed, changed, propertiesChanged };
}

/**
 * Applications added, changed and removed, each sorted. One pass over each tenant's keys, no copies:
 * a 10,000-application tenant with one change costs little more than the identity checks
 * (unchanged applications are the same objects).
 */
function applicationChanges(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Pick<TenantChange, 'added' | 'changed' | 'removed'> {
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const key of Object.keys(after)) {
    if (!isApplicationKey(after, key)) continue;
    const old = before[key];
    if (old === undefined) added.push(key);
    else if (old !== after[key] && !isDeepStrictEqual(old, after[key])) changed.push(key);
  }
  for (const key of Object.keys(before)) if (isApplicationKey(before, key) && after[key] === undefined) removed.push(key);
  return { added: added.sort(), changed: changed.sort(), removed: removed.sort() };
}

/**
 * RFC 6902 operations that turn the applied tenant into the desired one, paths within the tenant
 * (`/app/pool/members/0`). Unchanged applications are skipped, so a 10,000-application tenant
 * with one change costs one application's comparison.
 */
export function tenantPatch(change: TenantChange, applied: As3Tenant | undefined, desired: As3Tenant | undefined): Operation[] {
  if (change.kind !== 'update') return fjp.compare(applied ?? {}, change.kind === 'delete' ? {} : (desired ?? {}));
  const ops: Operation[] = [];
  const escape = (name: string): string => name.replace(/~/g, '~0').replace(/\//g, '~1');
  if (change.propertiesChanged) ops.push(...fjp.compare(tenantProperties(applied), tenantProperties(desired)));
  const before = applicationsOf(applied);
  const after = applicationsOf(desired);
  for (const name of [...change.added, ...change.removed, ...change.changed].sort()) {
    const path = `/${escape(name)}`;
    if (!before.has(name)) ops.push({ op: 'add', path, value: after.get(name) });
    else if (!after.has(name)) ops.push({ op: 'remove', path });
    else
      ops.push(...fjp.compare(before.get(name) as object, after.get(name) as object).map((op) => ({ ...op, path: `${path}${op.path}` })));
  }
  return ops;
}

/**
 * Every tenant change between `applied` and `desired`, in tenant name order. Tenants only in
 * `applied` are deletions: callers pass only tenants this controller owns as `applied`.
 */
export function diffTenants(applied: ReadonlyMap<string, As3Tenant>, desired: ReadonlyMap<string, As3Tenant>): TenantChange[] {
  const names = [...new Set([...applied.keys(), ...desired.keys()])].sort();
  const out: TenantChange[] = [];
  for (const name of names) {
    const change = diffTenant(name, applied.get(name), desired.get(name));
    if (change) out.push(change);
  }
  return out;
}
