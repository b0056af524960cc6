import type { Config } from '../config/config.js';
import type { ClusterState } from '../inventory/cluster-state.js';
import { mustParseLabelSelector } from '../kube/label-selector.js';
import type { LabelSelector } from '../kube/label-selector.js';
import { refOf } from '../kube/refs.js';
import type { KnownKind, Namespace, TransportServer, VirtualServer } from '../kube/types.js';
import { canonicalize } from '../lib/canonical-json.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { compareDiagnostics, diagnostic } from '../model/diagnostic.js';
import type { VirtualClaim, VirtualGroup } from '../model/virtual.js';
import { groupClaims } from '../normalize/group.js';
import { Selection } from '../normalize/selection.js';
import { normalizeTransportServer } from '../normalize/transport-server.js';
import { normalizeVirtualServer } from '../normalize/virtual-server.js';
import type { NormalizeResult } from '../normalize/virtual-server.js';
import { nodeAddresses } from '../resolve/node-addresses.js';
import { resolveBackend } from '../resolve/resolve-backend.js';
import type { ResolveContext } from '../resolve/resolve-backend.js';
import type { ApplicationResult, RouteSummary } from '../translate/application.js';
import { translateApplication } from '../translate/application.js';
import type { As3Application, As3Declaration, As3Tenant } from '../translate/as3-types.js';
import { buildDeclaration, buildTenant } from '../translate/declaration.js';

export interface Plan {
  declaration: As3Declaration;
  /** Desired tenants by name (the same objects as in `declaration`). */
  tenants: Map<string, As3Tenant>;
  diagnostics: Diagnostic[];
  summary: RouteSummary[];
  /** Applications translated in this run (the rest were reused unchanged). */
  translated: number;
}

interface GroupMemo {
  fingerprint: string;
  result: ApplicationResult;
}

interface Grouping {
  revision: number;
  groups: VirtualGroup[];
  diagnostics: Diagnostic[];
}

/**
 * Runs the pure pipeline — normalize → group → resolve → translate — over one cluster's state and
 * remembers per-application results. A later run re-normalizes only when a VirtualServer,
 * TransportServer or Namespace changed, and re-translates only the applications whose inputs
 * (their resources, the Services and EndpointSlices they use, and Nodes in nodeport mode) changed,
 * so one endpoint change costs one application, not the whole declaration.
 */
export class Planner {
  private readonly selection: Selection;
  private readonly nodeSelector: LabelSelector;
  private grouping: Grouping | undefined;
  private memo = new Map<string, GroupMemo>();
  private nodeCache: { revision: number; addresses: string[] } | undefined;

  constructor(private readonly config: Config) {
    this.selection = new Selection(config);
    this.nodeSelector = mustParseLabelSelector(config.nodeLabelSelector);
  }

  plan(cluster: ClusterState): Plan {
    const grouping = this.groupingFor(cluster);
    const ctx: ResolveContext = { cluster, mode: this.config.poolMemberType, nodeAddresses: this.nodeAddressesFor(cluster) };
    const memo = new Map<string, GroupMemo>();
    const applications = new Map<string, Map<string, As3Application>>();
    const diagnostics = [...grouping.diagnostics];
    const summary: RouteSummary[] = [];
    let translated = 0;

    for (const group of grouping.groups) {
      const fingerprint = this.fingerprint(group, cluster);
      let entry = this.memo.get(group.id);
      if (!entry || entry.fingerprint !== fingerprint) {
        const result = translateApplication(group, (backend) => resolveBackend(ctx, backend));
        result.application = canonicalize(result.application);
        entry = { fingerprint, result };
        translated++;
      }
      memo.set(group.id, entry);
      let tenantApps = applications.get(group.partition);
      if (!tenantApps) {
        tenantApps = new Map();
        applications.set(group.partition, tenantApps);
      }
      tenantApps.set(group.application, entry.result.application);
      diagnostics.push(...entry.result.diagnostics);
      summary.push(...entry.result.summary);
    }
    this.memo = memo;

    const tenants = new Map<string, As3Tenant>();
    for (const [name, apps] of applications) tenants.set(name, buildTenant(apps, this.config.as3.instance));
    const declaration = buildDeclaration(tenants, { schemaVersion: this.config.as3.schemaVersion, instance: this.config.as3.instance });
    diagnostics.sort(compareDiagnostics);
    return { declaration, tenants, diagnostics, summary, translated };
  }

  private nodeAddressesFor(cluster: ClusterState): string[] {
    if (this.nodeCache?.revision !== cluster.nodeRevision) {
      const addresses = nodeAddresses(cluster.nodes(), { selector: this.nodeSelector, useNodeInternal: this.config.useNodeInternal });
      this.nodeCache = { revision: cluster.nodeRevision, addresses };
    }
    return this.nodeCache.addresses;
  }

  /** Revisions of everything a group's application is computed from. */
  private fingerprint(group: VirtualGroup, cluster: ClusterState): string {
    const parts: Array<string | number> = [];
    for (const claim of group.claims) {
      const { kind, namespace, name } = claim.source;
      parts.push(`${kind}/${namespace}/${name}@${cluster.revisionOf(kind as KnownKind, namespace, name)}`);
      for (const route of claim.routes) parts.push(cluster.serviceRevision(route.backend.namespace, route.backend.service));
    }
    if (this.config.poolMemberType !== 'cluster') parts.push(cluster.nodeRevision);
    return parts.join(',');
  }

  private groupingFor(cluster: ClusterState): Grouping {
    if (this.grouping?.revision === cluster.resourceRevision) return this.grouping;
    const claims: VirtualClaim[] = [];
    const diagnostics: Diagnostic[] = [];
    const namespaceOf = (name: string): Namespace | undefined => cluster.get<Namespace>('Namespace', '', name);
    const options = { defaultPartition: this.config.bigip.partition };
    const take = (result: NormalizeResult): void => {
      claims.push(...result.claims);
      diagnostics.push(...result.diagnostics);
    };
    for (const vs of cluster.list<VirtualServer>('VirtualServer')) {
      const ref = refOf(vs);
      const skip = this.selection.skipReason(vs, namespaceOf);
      if (skip) diagnostics.push(diagnostic(ref, 'warning', skip));
      else take(normalizeVirtualServer(vs, ref, options));
    }
    for (const ts of cluster.list<TransportServer>('TransportServer')) {
      const ref = refOf(ts);
      const skip = this.selection.skipReason(ts, namespaceOf);
      if (skip) diagnostics.push(diagnostic(ref, 'warning', skip));
      else take(normalizeTransportServer(ts, ref, options));
    }
    const grouped = groupClaims(claims);
    this.grouping = { revision: cluster.resourceRevision, groups: grouped.groups, diagnostics: [...diagnostics, ...grouped.diagnostics] };
    return this.grouping;
  }
}
