import type { KubeObject } from './types.js';

/** Identifies one Kubernetes object, optionally in a named cluster. */
export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
  cluster?: string;
}

export function refOf(obj: KubeObject, cluster?: string): ObjectRef {
  const ref: ObjectRef = {
    kind: obj.kind ?? 'Unknown',
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
  };
  if (cluster !== undefined) ref.cluster = cluster;
  return ref;
}

/** `ns/name`, or `name` for cluster-scoped objects. */
export function namespacedName(namespace: string, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** `Kind ns/name`, the way every message names a resource. */
export function describeRef(ref: ObjectRef): string {
  const where = ref.cluster ? ` (cluster ${ref.cluster})` : '';
  return `${ref.kind} ${namespacedName(ref.namespace, ref.name || '(no name)')}${where}`;
}

export function refKey(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/**
 * Orders resources oldest first: creationTimestamp (RFC 3339 strings sort chronologically when
 * they share the `Z` suffix Kubernetes always writes), then namespace/name so that resources
 * without timestamps still compare deterministically. Objects without a timestamp count as newest.
 */
export function compareAge(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata?.creationTimestamp;
  const tb = b.metadata?.creationTimestamp;
  if (ta !== tb) {
    if (ta === undefined) return 1;
    if (tb === undefined) return -1;
    return ta < tb ? -1 : 1;
  }
  const ka = namespacedName(a.metadata?.namespace ?? '', a.metadata?.name ?? '');
  const kb = namespacedName(b.metadata?.namespace ?? '', b.metadata?.name ?? '');
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
