/**
 * The planner's grouping of claims into virtuals, and its two rules for invalid resources: a
 * resource whose translation fails is withheld as a whole (tried again when its Services change),
 * and an invalid resource is planned from its last good claims when the planner has them
 * (last-good-claims.ts).
 */
import { namespacedName, refKey } from '../kube/refs.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import { claimBackends } from '../model/virtual.js';
import type { VirtualClaim, VirtualGroup } from '../model/virtual.js';
import { groupClaims } from '../normalize/group.js';
import type { IpamReport } from './ipam-pass.js';
import type { LastGoodClaims } from './last-good-claims.js';
import type { KeptInPlan, PlannedResource } from './plan.js';
import { servicesOf } from './plan.js';

export interface Grouping {
  revision: number | string;
  /** `secretRevision` the grouping was last known valid at. */
  secretRevision: number | string;
  /** Secrets the resources read (found or not) and their revisions then, rejected resources included. */
  secretReads: Array<{ namespace: string; name: string; revision: number | string }>;
  /** Every claim normalization made, withheld ones included. */
  claims: VirtualClaim[];
  groups: VirtualGroup[];
  /** Group ids by the `ns/name` of each Service they route to. */
  byService: Map<string, string[]>;
  /** What normalization (and the cluster set) reported: the grouping adds its conflicts to it. */
  normalized: Diagnostic[];
  diagnostics: Diagnostic[];
  /** Resources whose normalization reported an error (see `Plan.invalid`; withheld ones are added there). */
  invalid: Set<string>;
  /** Invalid resources whose last good claims were planned instead. */
  substituted: Set<string>;
  /** Withheld resources whose last good claims failed to translate too: left out entirely. */
  noSubstitute: Set<string>;
  /**
   * Resources refused because translating them failed (a Service port that does not exist, say),
   * with those errors: a resource is all or nothing, so their claims are left out of the groups.
   */
  withheld: Map<string, Diagnostic[]>;
  /** The Services the withheld resources route to: a change to one of them tries them again. */
  withheldServices: Set<string>;
  ipam: IpamReport | undefined;
  /**
   * `Plan.resources()`, computed on first use and kept while the grouping holds: it depends only
   * on the resources (and which cluster holds which copy), so the same list (the same objects)
   * serves every plan until a resource changes — the status writer tells changes by identity.
   */
  resources?: PlannedResource[];
}

/** Where each kept resource's last good claims are planned. */
export function keptInPlan(grouping: Grouping, lastGood: LastGoodClaims): Map<string, KeptInPlan> {
  const keys = keptKeys(grouping, lastGood);
  const out = new Map<string, KeptInPlan>();
  if (keys.size === 0) return out;
  for (const group of grouping.groups) {
    for (const claim of group.claims) {
      const key = refKey(claim.source);
      if (!keys.has(key)) continue;
      const entry = out.get(key) ?? { version: lastGood.versionOf(key) ?? '', applications: [], addresses: [] };
      const where = `${group.partition}/${group.application}`;
      if (!entry.applications.includes(where)) entry.applications.push(where);
      for (const a of [claim.address, ...(claim.additionalAddresses ?? [])]) if (!entry.addresses.includes(a)) entry.addresses.push(a);
      out.set(key, entry);
    }
  }
  return out;
}

/** Invalid resources planned from their last good claims. */
export function keptKeys(grouping: Grouping, lastGood: LastGoodClaims): Set<string> {
  const out = new Set<string>();
  for (const key of [...grouping.substituted, ...grouping.withheld.keys()]) {
    if (!grouping.noSubstitute.has(key) && lastGood.get(key)) out.add(key);
  }
  return out;
}

/** What normalization decided; `regroup` adds the groups. */
export type NormalizedGrouping = Omit<Grouping, 'groups' | 'byService' | 'diagnostics' | 'withheld' | 'withheldServices' | 'resources'>;

/**
 * The grouping of every claim except those of `withheld` resources, which are planned from
 * their last good claims when the planner has them (and they did not fail too).
 */
export function regroup(base: NormalizedGrouping, withheld: Map<string, Diagnostic[]>, lastGood: LastGoodClaims): Grouping {
  let kept = withheld.size === 0 ? base.claims : base.claims.filter((c) => !withheld.has(refKey(c.source)));
  for (const key of withheld.keys()) {
    const substitute = base.noSubstitute.has(key) ? undefined : lastGood.get(key);
    if (substitute) kept = [...kept, ...substitute];
  }
  const grouped = groupClaims(kept);
  const byService = new Map<string, string[]>();
  for (const group of grouped.groups) {
    for (const key of servicesOf(group)) byService.set(key, [...(byService.get(key) ?? []), group.id]);
  }
  const withheldServices = new Set<string>();
  for (const claim of base.claims) {
    if (withheld.has(refKey(claim.source)))
      for (const b of claimBackends(claim)) withheldServices.add(namespacedName(b.namespace, b.service));
  }
  const { resources: _dropped, ...rest } = base as Grouping;
  void _dropped;
  return {
    ...rest,
    groups: grouped.groups,
    byService,
    withheld,
    withheldServices,
    diagnostics: [...base.normalized, ...grouped.diagnostics, ...[...withheld.values()].flat()],
  };
}
