/**
 * Last known good (issue 13): an edit that makes a resource invalid must not take it off the
 * BIG-IP. The plan leaves an invalid resource out; before diff and apply compare with the device,
 * every application the device holds that was made from that resource (its provenance,
 * `constants.kubeAs3Sources`, see translate/provenance.ts) goes back into the desired state as the
 * device holds it. The version the BIG-IP keeps is the one recorded there, so it survives restarts
 * and needs no store of its own: the device is the record.
 *
 * The unit kept is the application (one listener). When a valid resource shares it with the
 * invalid one, the valid one's changes to that listener wait until the invalid one is fixed or
 * deleted; each such resource is named. Objects of the tenant's `Shared` application that a kept
 * application points at (its Service_Address) are kept too. Pure: inputs are never modified.
 */
import type { ObjectRef } from '../kube/refs.js';
import { isRecord } from '../lib/is-record.js';
import { jsonEqual } from '../lib/json-equal.js';
import type { As3Application, As3Tenant } from '../model/as3-types.js';
import { SHARED_APPLICATION } from '../translate/declaration.js';
import type { KubeObject } from '../kube/types.js';
import { readProvenance, readRecordedObjects } from '../translate/provenance.js';
import { carryOverUnreadable } from './carry-over.js';
import type { CarryOver } from './carry-over.js';

/** What the BIG-IP keeps of one invalid resource. */
export interface KeptResource {
  /** `Kind/namespace/name`. */
  key: string;
  /** The version the device holds, as recorded there (`generation 3, sha256:…`). */
  version: string;
  /** `tenant/application` names. */
  applications: string[];
  /** The virtual addresses of those applications (IPAM must not free them). */
  addresses: string[];
}

export interface LastGood {
  tenants: Map<string, As3Tenant>;
  /** By resource key, for each invalid resource the device still serves. */
  kept: Map<string, KeptResource>;
  /** Valid resources whose changes to a kept application wait: key → `tenant/application` names. */
  waiting: Map<string, string[]>;
}

function isApplication(value: unknown): value is As3Application {
  return isRecord(value) && value['class'] === 'Application';
}

/** Addresses of an application's virtuals (plain strings; `{use}` pointers to a Service_Address resolved through `shared`). */
function addressesOf(app: As3Application, shared: unknown): string[] {
  const out: string[] = [];
  for (const obj of Object.values(app)) {
    if (!isRecord(obj) || !Array.isArray(obj['virtualAddresses'])) continue;
    for (const entry of obj['virtualAddresses'] as unknown[]) {
      if (typeof entry === 'string') out.push(entry);
      else if (isRecord(entry) && typeof entry['use'] === 'string') {
        const target = isRecord(shared) ? shared[entry['use'].split('/').pop() ?? ''] : undefined;
        if (isRecord(target) && typeof target['virtualAddress'] === 'string') out.push(target['virtualAddress']);
      }
    }
  }
  return out;
}

/** The `Shared` objects (by name) that `apps` point at with `/tenant/Shared/name`. */
function sharedUsedBy(tenant: string, apps: As3Application[], shared: As3Application): string[] {
  const text = JSON.stringify(apps);
  return Object.keys(shared).filter((name) => isRecord(shared[name]) && text.includes(`"/${tenant}/${SHARED_APPLICATION}/${name}"`));
}

/**
 * The desired tenants with every application of `current` (what the device holds, ours only) that
 * an `invalid` resource (by `Kind/namespace/name`) contributed to put back as the device holds it.
 */
export function keepLastGood(
  desired: ReadonlyMap<string, As3Tenant>,
  current: ReadonlyMap<string, As3Tenant>,
  invalid: ReadonlySet<string>,
): LastGood {
  const out: LastGood = { tenants: new Map(desired), kept: new Map(), waiting: new Map() };
  if (invalid.size === 0) return out;
  for (const [tenantName, tenant] of current) {
    const keptApps: Array<[string, As3Application]> = [];
    for (const [appName, app] of Object.entries(tenant)) {
      if (appName === SHARED_APPLICATION || !isApplication(app)) continue;
      const sources = readProvenance(app);
      const culprits = [...sources.keys()].filter((key) => invalid.has(key));
      if (culprits.length === 0) continue;
      keptApps.push([appName, app]);
      const where = `${tenantName}/${appName}`;
      const addresses = addressesOf(app, tenant[SHARED_APPLICATION]);
      for (const key of culprits) {
        const entry = out.kept.get(key) ?? { key, version: sources.get(key) as string, applications: [], addresses: [] };
        entry.applications.push(where);
        entry.addresses.push(...addresses.filter((a) => !entry.addresses.includes(a)));
        out.kept.set(key, entry);
      }
      const wanted = desired.get(tenantName)?.[appName];
      if (wanted !== undefined && !jsonEqual(wanted, app)) noteWaiting(out.waiting, readProvenance(wanted), invalid, where);
    }
    if (keptApps.length === 0) continue;
    out.tenants.set(tenantName, withKept(tenantName, desired.get(tenantName), tenant, keptApps));
  }
  return out;
}

/** Valid resources of an application the device keeps: their changes to it wait. */
function noteWaiting(waiting: LastGood['waiting'], sources: Map<string, string>, invalid: ReadonlySet<string>, where: string): void {
  for (const key of sources.keys()) {
    if (!invalid.has(key)) waiting.set(key, [...(waiting.get(key) ?? []), where]);
  }
}

/** The desired tenant (or the device's shell of it) with the kept applications and the Shared objects they use. */
function withKept(name: string, wanted: As3Tenant | undefined, device: As3Tenant, apps: Array<[string, As3Application]>): As3Tenant {
  const tenant: As3Tenant = wanted
    ? { ...wanted }
    : { class: 'Tenant', ...(device.label ? { label: device.label } : {}), ...(device.remark ? { remark: device.remark } : {}) };
  for (const [appName, app] of apps) tenant[appName] = app;
  const deviceShared = device[SHARED_APPLICATION];
  if (isApplication(deviceShared)) {
    const needed = sharedUsedBy(
      name,
      apps.map(([, app]) => app),
      deviceShared,
    );
    const own = tenant[SHARED_APPLICATION];
    const shared: As3Application = isApplication(own) ? { ...own } : { class: 'Application', template: 'shared' };
    let added = false;
    for (const object of needed) {
      if (shared[object] !== undefined) continue;
      shared[object] = deviceShared[object];
      added = true;
    }
    if (added) tenant[SHARED_APPLICATION] = shared;
  }
  return sortedTenant(tenant);
}

/** Applications in name order, as buildTenant writes them, so a kept tenant compares equal to the device's. */
function sortedTenant(tenant: As3Tenant): As3Tenant {
  const out: As3Tenant = { class: 'Tenant' };
  for (const [key, value] of Object.entries(tenant)) if (!isApplication(value)) out[key] = value;
  for (const key of Object.keys(tenant)
    .filter((k) => isApplication(tenant[k]))
    .sort())
    out[key] = tenant[key];
  return out;
}

/** `VirtualServer shop/web` from a `Kind/namespace/name` key. */
export function refFromKey(key: string): ObjectRef {
  const [kind = '', namespace = '', ...rest] = key.split('/');
  return { kind, namespace, name: rest.join('/') };
}

/** One line per kept resource and per waiting one, for the CLI and the logs. */
export function describeLastGood(result: LastGood): string[] {
  const lines: string[] = [];
  for (const kept of [...result.kept.values()].sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const ref = refFromKey(kept.key);
    lines.push(
      `${ref.kind} ${ref.namespace}/${ref.name}: invalid, so the BIG-IP keeps its last good version (${kept.version}) in ${kept.applications.join(', ')}; fix the error, or delete the resource to remove it`,
    );
  }
  for (const [key, apps] of [...result.waiting].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const ref = refFromKey(key);
    lines.push(
      `${ref.kind} ${ref.namespace}/${ref.name}: warning: changes to ${apps.join(', ')} wait: that listener is kept as the BIG-IP has it while a resource sharing it is invalid`,
    );
  }
  return lines;
}

/**
 * What diff, apply and run bring the device to: the plan's tenants, plus what the device keeps
 * from clusters that cannot be read (carry-over.ts), plus the last good version of each invalid
 * resource. `current`: the tenants of this instance on the device.
 */
export function desiredAgainstDevice(
  plan: { tenants: ReadonlyMap<string, As3Tenant>; invalid: ReadonlySet<string>; kept?: ReadonlyMap<string, Omit<KeptResource, 'key'>> },
  current: ReadonlyMap<string, As3Tenant>,
  unreadable: readonly string[],
): { tenants: Map<string, As3Tenant>; carried: CarryOver; lastGood: LastGood } {
  const carried = carryOverUnreadable(plan.tenants, current, unreadable);
  // Resources the planner already planned from their last good version need nothing from the device.
  const inPlan = plan.kept ?? new Map<string, Omit<KeptResource, 'key'>>();
  const fromDevice = inPlan.size === 0 ? plan.invalid : new Set([...plan.invalid].filter((key) => !inPlan.has(key)));
  const lastGood = keepLastGood(carried.tenants, current, fromDevice);
  for (const [key, kept] of inPlan) lastGood.kept.set(key, { key, ...kept });
  return { tenants: lastGood.tenants, carried, lastGood };
}

/** Addresses the kept versions still serve: IPAM must not free them while they are on the device. */
export function keptAddresses(result: LastGood): Set<string> {
  return new Set([...result.kept.values()].flatMap((k) => k.addresses));
}

/**
 * The last good versions the device recorded for `keys` (applications several resources share
 * record their resources: translate/provenance.ts), for `Planner.seedLastGood`.
 */
export function recordedLastGood(current: ReadonlyMap<string, As3Tenant>, keys: Iterable<string>): Map<string, KubeObject> {
  const wanted = new Set(keys);
  const out = new Map<string, KubeObject>();
  if (wanted.size === 0) return out;
  for (const tenant of current.values()) {
    for (const app of Object.values(tenant)) {
      if (!isApplication(app)) continue;
      for (const [key, obj] of readRecordedObjects(app)) if (wanted.has(key) && !out.has(key)) out.set(key, obj);
    }
  }
  return out;
}

/** The plan's invalid resources that it could not plan from a last good version of its own. */
export function notKept(plan: { invalid: ReadonlySet<string>; kept: ReadonlyMap<string, unknown> }): string[] {
  return [...plan.invalid].filter((key) => !plan.kept.has(key));
}
