import type { LabelSelector } from '../kube/label-selector.js';
import type { Node } from '../kube/types.js';
import { compareAddresses, parseAddress } from '../lib/ip.js';

export interface NodeAddressOptions {
  selector: LabelSelector;
  /** InternalIP (true, the default) or ExternalIP. */
  useNodeInternal: boolean;
  /** Whether cordoned nodes (`spec.unschedulable`) still receive traffic; CIS includes them. */
  includeUnschedulable: boolean;
}

export function isNodeReady(node: Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export interface NodeAddress {
  node: string;
  address: string;
  labels: Record<string, string>;
}

/**
 * Addresses of the nodes that can receive NodePort traffic: Ready, selected by the node label
 * selector, with an address of the configured type. Sorted by address, de-duplicated.
 */
export function nodeAddresses(nodes: Node[], options: NodeAddressOptions): NodeAddress[] {
  const type = options.useNodeInternal ? 'InternalIP' : 'ExternalIP';
  const out = new Map<string, NodeAddress>();
  for (const node of nodes) {
    if (!isNodeReady(node) || !options.selector.matches(node.metadata?.labels)) continue;
    if (node.spec?.unschedulable === true && !options.includeUnschedulable) continue;
    for (const a of node.status?.addresses ?? []) {
      if (a.type === type && typeof a.address === 'string' && a.address !== '' && !out.has(a.address)) {
        out.set(a.address, { node: node.metadata?.name ?? '', address: a.address, labels: node.metadata?.labels ?? {} });
      }
    }
  }
  return [...out.values()].sort((x, y) => compareAddresses(x.address, y.address));
}

/**
 * One address per node for a virtual of the given family: a dual-stack node contributes its
 * address of that family, a single-stack node the one it has. Computed once per node change.
 */
export function onePerNode(addresses: readonly NodeAddress[], family: 4 | 6): NodeAddress[] {
  const chosen = new Map<string, NodeAddress>();
  for (const a of addresses) {
    const current = chosen.get(a.node);
    if (!current || (parseAddress(current.address)?.family !== family && parseAddress(a.address)?.family === family)) chosen.set(a.node, a);
  }
  return addresses.filter((a) => chosen.get(a.node) === a);
}
