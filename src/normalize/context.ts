import type { Config } from '../config/config.js';
import { mustParseLabelSelector } from '../kube/label-selector.js';
import type { LabelSelector } from '../kube/label-selector.js';
import type { ObjectRef } from '../kube/refs.js';
import type { Inventory } from '../inventory/inventory.js';
import type { KnownKind, KubeObject } from '../kube/types.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import type { VirtualClaim } from '../model/virtual.js';

export type { Inventory };
import type { InLabel, IpamOutcomes } from './ipam-outcomes.js';

/** What normalizing one resource gives: its claims (none when rejected) and the problems found. */
export interface NormalizeResult {
  claims: VirtualClaim[];
  diagnostics: Diagnostic[];
}

/**
 * What a normalizer may look at besides its own resource: the configuration and the other objects
 * of the cluster (TLSProfiles, Secrets, Policies, IngressClasses). Every lookup is recorded, found
 * or not, so the planner can re-translate a resource when something it read changes.
 */
export class NormalizeContext {
  private readonly reads = new Map<string, ObjectRef>();
  /** `customResourceLabel`, parsed once (the config was validated, so it parses). */
  private readonly resourceLabel: LabelSelector;

  /**
   * `ipam.outcomes`: the address IPAM gave each key in this plan (undefined: IPAM not configured);
   * `ipam.inLabel` tells whether an address lies in a label's ranges.
   */
  constructor(
    readonly config: Config,
    private readonly inventory: Inventory,
    readonly ipam: { outcomes: IpamOutcomes; inLabel: InLabel } = { outcomes: undefined, inLabel: () => false },
  ) {
    this.resourceLabel = mustParseLabelSelector(config.customResourceLabel);
  }

  /** Whether a custom resource (a TLSProfile or Policy someone names, too) carries the selected labels. */
  selectsResource(obj: KubeObject): boolean {
    return this.resourceLabel.matches(obj.metadata?.labels);
  }

  /**
   * Why objects of `namespace` cannot be found although they may exist: the controller only reads
   * the configured `namespaces`. Undefined when it reads that namespace.
   */
  unreadNamespace(namespace: string): string | undefined {
    const listed = this.config.namespaces;
    if (listed.length === 0 || listed.includes(namespace)) return undefined;
    return `namespace ${namespace} is not one of the configured namespaces, so kube-as3 does not read it; add it to namespaces in the config file`;
  }

  get defaultPartition(): string {
    return this.config.bigip.partition;
  }

  /** An object by kind, namespace and name; the lookup is recorded as a dependency. */
  get<T extends KubeObject>(kind: KnownKind, namespace: string, name: string): T | undefined {
    const ref: ObjectRef = { kind, namespace, name };
    this.reads.set(`${kind}/${namespace}/${name}`, ref);
    return this.inventory.get<T>(kind, namespace, name);
  }

  /** Every object of a kind (not recorded: callers that list must be re-run on any change of the kind). */
  list<T extends KubeObject>(kind: KnownKind): T[] {
    return this.inventory.list<T>(kind);
  }

  /** The objects read since the last call, in read order, and forgets them (one resource at a time). */
  takeDependencies(): ObjectRef[] {
    const refs = [...this.reads.values()];
    this.reads.clear();
    return refs;
  }
}
