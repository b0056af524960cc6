/**
 * Last known good inside a running planner: the claims each valid resource made the last time it
 * was planned. When a later version of the resource is invalid, the planner plans these claims
 * instead, so the resource's routes stay exactly as they were while every other resource's
 * changes go through, also on a virtual they share. (Without this memory, after a restart or in
 * a one-shot `apply`, the BIG-IP's own copy is kept per application: apply/last-good.ts.)
 *
 * The claims are plain data computed from the resource and what it read (TLSProfile, Policy,
 * Secrets), so a TLSProfile or Secret that becomes unusable does not touch the kept version
 * either; pool members are still resolved afresh from the current endpoints.
 */
import { refKey } from '../kube/refs.js';
import type { VirtualClaim, VirtualGroup } from '../model/virtual.js';
import { resourceVersion } from '../translate/provenance.js';

export class LastGoodClaims {
  private byRef = new Map<string, VirtualClaim[]>();

  /** The claims last planned for a resource (`Kind/namespace/name`), or undefined. */
  get(key: string): VirtualClaim[] | undefined {
    return this.byRef.get(key);
  }

  /** Claims of a last good version this planner did not plan itself (recorded on the BIG-IP). */
  set(key: string, claims: VirtualClaim[]): void {
    this.byRef.set(key, claims);
  }

  /** The version the kept claims were made from (`generation 3, sha256:…`). */
  versionOf(key: string): string | undefined {
    const claim = this.byRef.get(key)?.[0];
    return claim ? resourceVersion(claim.object) : undefined;
  }

  /**
   * After a plan: the claims of every resource planned from its current version replace what was
   * kept for it; resources still kept keep their entry; every other resource (deleted, no longer
   * selected, or losing a conflict) is forgotten.
   */
  record(groups: readonly VirtualGroup[], kept: ReadonlySet<string>): void {
    const next = new Map<string, VirtualClaim[]>();
    for (const group of groups) {
      for (const claim of group.claims) {
        const key = refKey(claim.source);
        if (kept.has(key)) continue;
        const list = next.get(key);
        if (list) list.push(claim);
        else next.set(key, [claim]);
      }
    }
    for (const key of kept) {
      const old = this.byRef.get(key);
      if (old) next.set(key, old);
    }
    this.byRef = next;
  }

  clear(): void {
    this.byRef.clear();
  }
}
