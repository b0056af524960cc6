/**
 * The local check of applications before they reach the BIG-IP: each changed application, wrapped
 * in a declaration of its own, must pass every validator (the project's schema, and the official
 * AS3 schema when `as3.schemaFile` names it). One that fails is withheld: its tenant keeps the
 * version the device holds (or goes without it when it is new). `apply` and the controller do
 * this before posting; `plan` and `diff` do it to show what `apply` would send.
 */
import { isDeepStrictEqual } from 'node:util';
import type { DeclarationValidator } from './declaration-validator.js';
import type { As3Tenant } from '../model/as3-types.js';
import { OWNER_LABEL, buildDeclaration, ownerRemark } from '../translate/declaration.js';
import { applicationsOf } from './tenant-diff.js';

export interface LocalCheck {
  validators: readonly DeclarationValidator[];
  instance: string;
  /** The `schemaVersion` the declaration is sent with. */
  schemaVersion: string;
}

export interface Withheld {
  application: string;
  /** The validator's first error line. */
  error: string;
}

/**
 * `tenant` with every application that differs from `before` and fails a validator replaced by
 * its version in `before` (or left out when `before` has none), and those applications.
 */
export function locallyValidTenant(
  name: string,
  tenant: As3Tenant,
  before: As3Tenant | undefined,
  check: LocalCheck,
): { tenant: As3Tenant; withheld: Withheld[] } {
  if (check.validators.length === 0) return { tenant, withheld: [] };
  const previousApps = applicationsOf(before);
  const withheld: Withheld[] = [];
  let out = tenant;
  for (const [app, value] of applicationsOf(tenant)) {
    const previous = previousApps.get(app);
    if (previous !== undefined && isDeepStrictEqual(previous, value)) continue;
    const alone = new Map([
      [name, { class: 'Tenant', label: OWNER_LABEL, remark: ownerRemark(check.instance), [app]: value } as As3Tenant],
    ]);
    const wrapped = buildDeclaration(alone, { schemaVersion: check.schemaVersion, instance: check.instance });
    const error = check.validators.map((v) => v(wrapped)).find((e) => e !== '');
    if (error === undefined) continue;
    if (out === tenant) out = { ...tenant };
    if (previous === undefined) delete out[app];
    else out[app] = previous;
    withheld.push({ application: app, error: error.split('\n')[0] ?? error });
  }
  return { tenant: out, withheld };
}
