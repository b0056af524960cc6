import type { Config } from '../config/config.js';
import type { LabelSelector } from '../kube/label-selector.js';
import { mustParseLabelSelector } from '../kube/label-selector.js';
import type { KubeObject, Namespace } from '../kube/types.js';

/**
 * Which resources this controller instance is responsible for: the custom-resource label
 * selector (CIS's `f5cr in (true)`) and the watched namespaces. Returns the reason a resource is
 * skipped, so `plan` can tell the user why nothing happened.
 */
export class Selection {
  private readonly resourceLabel: LabelSelector;
  private readonly namespaceLabel: LabelSelector | undefined;
  private readonly namespaces: ReadonlySet<string>;

  constructor(config: Config) {
    this.resourceLabel = mustParseLabelSelector(config.customResourceLabel);
    this.namespaceLabel = config.namespaceLabel === undefined ? undefined : mustParseLabelSelector(config.namespaceLabel);
    this.namespaces = new Set(config.namespaces);
  }

  /** Whether an Ingress or Service (no resource label needed) is in a watched namespace. */
  watchesNamespaceOf(obj: KubeObject, namespaceOf: (name: string) => Namespace | undefined): boolean {
    const ns = obj.metadata?.namespace ?? '';
    if (this.namespaces.size > 0 && !this.namespaces.has(ns)) return false;
    return !this.namespaceLabel || this.namespaceLabel.matches(namespaceOf(ns)?.metadata?.labels);
  }

  /** Reason the custom resource is not handled, or undefined when it is. */
  skipReason(obj: KubeObject, namespaceOf: (name: string) => Namespace | undefined): string | undefined {
    const ns = obj.metadata?.namespace ?? '';
    if (this.namespaces.size > 0 && !this.namespaces.has(ns)) {
      return `ignored: namespace ${ns} is not in the configured namespaces; add it to namespaces in the config file to serve it`;
    }
    if (this.namespaceLabel && !this.namespaceLabel.matches(namespaceOf(ns)?.metadata?.labels)) {
      return `ignored: namespace ${ns} does not match namespaceLabel "${this.namespaceLabel.source}"; label the namespace to serve it`;
    }
    if (!this.resourceLabel.matches(obj.metadata?.labels)) {
      return `ignored: its labels do not match customResourceLabel "${this.resourceLabel.source}"; label it (for example f5cr: "true") to serve it`;
    }
    return undefined;
  }
}
