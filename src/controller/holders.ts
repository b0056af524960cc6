import type { ObjectRef } from '../kube/refs.js';

/** The clusters holding a copy of a resource (several clusters only). */
export type Holders = (ref: ObjectRef) => string[];

/**
 * With several clusters, something about a resource that names no cluster (it was refused before
 * it was matched to one cluster's copy) goes to every cluster holding the resource; items that
 * name their cluster go there. Without `holders` (one cluster), the items as they are.
 */
export function toHolders<T extends { ref: ObjectRef }>(items: T[], holders: Holders | undefined): T[] {
  if (!holders) return items;
  return items.flatMap((item) =>
    item.ref.cluster !== undefined ? [item] : holders(item.ref).map((cluster) => ({ ...item, ref: { ...item.ref, cluster } })),
  );
}
