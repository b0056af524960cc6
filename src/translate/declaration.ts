import type { As3Adc, As3Application, As3Declaration, As3Object, As3Tenant } from '../model/as3-types.js';

export interface DeclarationOptions {
  schemaVersion: string;
  /** Controller instance named in the ownership marker. */
  instance: string;
}

/** The ownership marker: every tenant kube-as3 writes carries it; tenants without it are never touched. */
export const OWNER_LABEL = 'kube-as3';

export function ownerRemark(instance: string): string {
  return `managed by kube-as3 instance ${instance}`;
}

function byName<T>(entries: Map<string, T>): Array<[string, T]> {
  return [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Name of the per-tenant application holding objects several applications point at (AS3 convention). */
export const SHARED_APPLICATION = 'Shared';

/**
 * A tenant with its applications in name order, carrying the ownership marker. `shared` objects
 * (Service_Address: one per address, used by the HTTP and HTTPS virtuals alike) go into the
 * tenant's `Shared` application; the first definition of a name wins, in the given order.
 */
export function buildTenant(
  applications: Map<string, As3Application>,
  instance: string,
  shared: Array<[string, As3Object]> = [],
): As3Tenant {
  const tenant: As3Tenant = { class: 'Tenant', label: OWNER_LABEL, remark: ownerRemark(instance) };
  const all = new Map(applications);
  if (shared.length > 0) {
    const app: As3Application = { class: 'Application', template: 'shared' };
    for (const [name, obj] of [...shared].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!(name in app)) app[name] = obj;
    }
    all.set(SHARED_APPLICATION, app);
  }
  for (const [name, app] of byName(all)) tenant[name] = app;
  return tenant;
}

/**
 * The full AS3 request. No timestamps or counters: equal inputs give byte-identical output.
 * `updateMode` stays at AS3's default (`selective`), so tenants absent here are left alone on the
 * device; kube-as3 deletes its own tenants explicitly.
 */
export function buildDeclaration(tenants: Map<string, As3Tenant>, options: DeclarationOptions): As3Declaration {
  const adc: As3Adc = {
    class: 'ADC',
    schemaVersion: options.schemaVersion,
    id: `kube-as3-${options.instance}`,
    label: OWNER_LABEL,
    remark: ownerRemark(options.instance),
  };
  for (const [name, tenant] of byName(tenants)) adc[name] = tenant;
  return { class: 'AS3', action: 'deploy', persist: true, declaration: adc };
}
