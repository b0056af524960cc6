/**
 * Which tenants on a BIG-IP belong to this controller instance (docs/reference/README.md): those carrying its
 * marker (`label: kube-as3` and the remark naming the instance). Every other tenant, including
 * one of another kube-as3 instance, is foreign: never modified or deleted.
 */
import type { As3Adc, As3Tenant } from '../model/as3-types.js';
import { OWNER_LABEL, ownerRemark } from '../translate/declaration.js';

export interface DeviceTenants {
  /** Tenants with this instance's marker, as the device holds them. */
  ours: Map<string, As3Tenant>;
  /** Every other tenant name (AS3 tenants of people or tools, other kube-as3 instances). */
  foreign: Set<string>;
}

/** True for a tenant that carries this instance's ownership marker. */
export function isOwnedTenant(tenant: unknown, instance: string): boolean {
  if (typeof tenant !== 'object' || tenant === null) return false;
  const t = tenant as Record<string, unknown>;
  return t['class'] === 'Tenant' && t['label'] === OWNER_LABEL && t['remark'] === ownerRemark(instance);
}

/** Splits the device's declaration (undefined: AS3 holds none) into our tenants and foreign ones. */
export function splitOwnership(adc: As3Adc | undefined, instance: string): DeviceTenants {
  const ours = new Map<string, As3Tenant>();
  const foreign = new Set<string>();
  for (const [name, value] of Object.entries(adc ?? {})) {
    if (typeof value !== 'object' || value === null || (value as { class?: unknown }).class !== 'Tenant') continue;
    if (isOwnedTenant(value, instance)) ours.set(name, value as As3Tenant);
    else foreign.add(name);
  }
  return { ours, foreign };
}

/** Why a resource that asks for a partition another owner holds gets nothing. */
export function foreignTenantMessage(tenant: string, instance: string): string {
  return (
    `partition ${tenant} exists on the BIG-IP without the ownership marker of kube-as3 instance ${instance}; ` +
    'kube-as3 never modifies it: choose another partition, or remove that tenant from the BIG-IP'
  );
}

/** The tenant AS3 deletes (with its partition) when it receives it: no applications, our marker. */
export function deletionTenant(instance: string): As3Tenant {
  return { class: 'Tenant', label: OWNER_LABEL, remark: ownerRemark(instance) };
}
