import type { Config } from '../config/config.js';
import type { ObjectRef } from '../kube/refs.js';
import type { Service, ServicePort } from '../kube/types.js';
import type { ServiceSettings } from '../model/settings.js';
import type { ClusterServiceBackend, MonitorModel, Route, VirtualClaim } from '../model/virtual.js';
import { clusterNames, clusterServices } from './cluster-services.js';
import { parseJsonAnnotation } from './json-annotation.js';
import type { NormalizeContext, NormalizeResult } from './context.js';
import { ipamAddress } from './ipam-request.js';
import { FieldReader, absent, annotationField } from './fields.js';
import { parseHealthAnnotation } from './health-annotation.js';
import { resolvePolicy, settingsFor, settingsForL4Virtual } from './policy.js';
import type { PolicyModel } from './policy.js';

type Protocol = 'tcp' | 'udp' | 'sctp';

const IP = 'cis.f5.com/ip';
const IPAM_LABEL = 'cis.f5.com/ipamLabel';
const PARTITION = 'cis.f5.com/partition';
const POLICY = 'cis.f5.com/policyName';
const HEALTH = 'cis.f5.com/health';
const MULTI_CLUSTER = 'cis.f5.com/multiClusterServices';
const HOST = 'cis.f5.com/host';

/**
 * Whether this controller serves a LoadBalancer Service, by `spec.loadBalancerClass`: a Service of
 * another class belongs to another load balancer; one without a class is served unless
 * `manageLoadBalancerClassOnly` is set (as CIS's `--manage-load-balancer-class-only`).
 */
export function servesLoadBalancer(svc: Service, config: Config): boolean {
  if (svc.spec?.type !== 'LoadBalancer') return false;
  const cls = svc.spec.loadBalancerClass;
  if (cls === undefined || cls === null || cls === '') return !config.manageLoadBalancerClassOnly;
  return cls === config.loadBalancerClass;
}

/**
 * Whether a LoadBalancer Service asks this controller for a virtual: it carries a `cis.f5.com/`
 * annotation. As in CIS, a LoadBalancer Service with none of them is left alone (it is often just
 * the backend of a VirtualServer or TransportServer, or served by another load balancer); one with,
 * say, only `cis.f5.com/health` clearly meant to be published and is told what is missing.
 */
function asksForVirtual(svc: Service): boolean {
  return Object.keys(svc.metadata?.annotations ?? {}).some((key) => key.startsWith('cis.f5.com/'));
}

function annotation(svc: Service, key: string): string | undefined {
  const value = svc.metadata?.annotations?.[key];
  return absent(value) ? undefined : String(value);
}

/** `cis.f5.com/ip`, else the address IPAM allocated for `cis.f5.com/ipamLabel`: the address of every virtual of the Service. */
function addressOf(r: FieldReader, svc: Service, ctx: NormalizeContext): string | undefined {
  const ip = annotation(svc, IP);
  if (ip !== undefined) return r.address(annotationField(IP), ip);
  const allocated = ipamAddress(r, ctx, 'Service', svc);
  if (allocated !== undefined) return allocated === false ? undefined : allocated;
  return r.error(annotationField(IP), `a LoadBalancer Service needs the annotation ${IP} (its virtual address) or ${IPAM_LABEL}`);
}

function protocolOf(r: FieldReader, field: string, value: unknown): Protocol | undefined {
  if (value === undefined || value === null || value === '' || value === 'TCP') return 'tcp';
  if (value === 'UDP') return 'udp';
  if (value === 'SCTP') return 'sctp';
  return r.error(field, `${JSON.stringify(value)} must be TCP, UDP or SCTP`);
}

interface PortEntry {
  field: string;
  port: number;
  protocol: Protocol;
  /** How the pool names the port: its number, or its name when another port has the same number (DNS on TCP and UDP 53). */
  servicePort: number | string;
}

/** Ports by number and name; a number shared by two ports (of different protocols) is named instead. */
function withServicePorts(entries: Array<Omit<PortEntry, 'servicePort'> & { name?: string }>): PortEntry[] {
  return entries.map(({ name, ...entry }) => {
    const shared = entries.filter((e) => e.port === entry.port).length > 1;
    return { ...entry, servicePort: shared && name ? name : entry.port };
  });
}

function portsOf(r: FieldReader, svc: Service): PortEntry[] {
  const ports = svc.spec?.ports;
  if (!Array.isArray(ports) || ports.length === 0) {
    r.error('spec.ports', 'a LoadBalancer Service needs at least one port');
    return [];
  }
  return withServicePorts(
    ports.flatMap((p: ServicePort | null, i) => {
      const field = `spec.ports[${i}]`;
      const protocol = protocolOf(r, `${field}.protocol`, p?.protocol);
      const port = r.port(`${field}.port`, p?.port);
      const name = typeof p?.name === 'string' && p.name !== '' ? { name: p.name } : {};
      return protocol && port !== undefined ? [{ field, port, protocol, ...name }] : [];
    }),
  );
}

/**
 * The health monitors per port protocol (an entry without `type` takes the protocol). The
 * annotation is read once per protocol; a problem they share (bad JSON, say) is reported once.
 */
function monitorsByProtocol(r: FieldReader, svc: Service, ports: PortEntry[]): Map<Protocol, MonitorModel[]> {
  const text = annotation(svc, HEALTH);
  const out = new Map<Protocol, MonitorModel[]>();
  const reported = new Set<string>();
  for (const { protocol } of ports) {
    if (out.has(protocol)) continue;
    if (text === undefined) {
      out.set(protocol, []);
      continue;
    }
    const sub = new FieldReader(r.ref);
    out.set(protocol, parseHealthAnnotation(sub, annotationField(HEALTH), text, protocol) ?? []);
    for (const d of sub.diagnostics) {
      const key = `${d.severity}\n${d.field ?? ''}\n${d.message}`;
      if (reported.has(key)) continue;
      reported.add(key);
      if (d.severity === 'error') r.error(d.field ?? '', d.message);
      else r.warn(d.field ?? '', d.message);
    }
  }
  return out;
}

function policyOf(r: FieldReader, ctx: NormalizeContext, svc: Service, namespace: string): PolicyModel | undefined {
  const name = annotation(svc, POLICY);
  return name === undefined ? undefined : resolvePolicy(r, ctx, namespace, name, annotationField(POLICY));
}

/**
 * The Policy's settings per port protocol: the Policy's L4 layer, taken once for the Service, then
 * fitted once per protocol to its virtual (Service_TCP, _UDP or _SCTP). Each Policy field that
 * does not apply is reported once on the annotation.
 */
function settingsByProtocol(r: FieldReader, policy: PolicyModel | undefined, ports: PortEntry[]): Map<Protocol, ServiceSettings> {
  const out = new Map<Protocol, ServiceSettings>();
  const field = annotationField(POLICY);
  const layer = settingsFor(policy, {}, 'l4');
  for (const name of layer.ignored)
    r.warn(
      field,
      `ignored: ${name} of the Policy does not apply to a LoadBalancer Service; nothing to change if the Policy serves VirtualServers too, else remove it from the Policy`,
    );
  for (const { protocol } of ports) {
    if (out.has(protocol)) continue;
    const fit = settingsForL4Virtual(layer.settings, protocol, 'standard');
    for (const name of fit.ignored) {
      const policyField = policy?.fields[name];
      if (policyField)
        r.warn(
          field,
          `ignored: ${policyField} of the Policy does not apply to a ${protocol.toUpperCase()} virtual; nothing to change if the Policy serves other virtuals too, else remove it from the Policy`,
        );
    }
    out.set(protocol, fit.settings);
  }
  return out;
}

function warnUnsupported(r: FieldReader, svc: Service): void {
  if (annotation(svc, HOST) !== undefined)
    r.warn(
      annotationField(HOST),
      'is only used for ExternalDNS, which kube-as3 does not support yet, and was ignored; nothing to change (CIS may keep using it)',
    );
}

/**
 * A Service of type LoadBalancer (with `cis.f5.com/ip`) → one L4 virtual per Service port on that
 * address: Service_TCP/_UDP/_SCTP by the port's protocol, the Service itself as the pool, SNAT auto
 * (or the Policy's), the `cis.f5.com/health` monitors and the `cis.f5.com/policyName` Policy
 * (looked up in the Service's namespace). Services that are not LoadBalancers, belong to another
 * loadBalancerClass, or carry no `cis.f5.com/` annotation are not this controller's and give
 * nothing, silently.
 */
/**
 * `cis.f5.com/multiClusterServices`: clusters whose Service of the same name (CIS's form
 * `[{clusterName, weight}]`; `service`, `namespace` and `servicePort` may name another) share the
 * virtual's traffic by weight. The Service itself (weight 100, from the local cluster) stays a
 * member unless the list names the local cluster. Problems are reported on the annotation, naming
 * the entry. Entries without `servicePort` use each virtual's Service port.
 */
function annotatedClusterServices(
  r: FieldReader,
  svc: Service,
  ref: ObjectRef,
  ctx: NormalizeContext,
  ports: PortEntry[],
): Array<{ entry: ClusterServiceBackend; ownPort: boolean }> | undefined | false {
  const text = annotation(svc, MULTI_CLUSTER);
  const field = annotationField(MULTI_CLUSTER);
  if (text === undefined) return undefined;
  const list = parseJsonAnnotation(r, field, text, 'a JSON list of {clusterName, service, namespace, servicePort, weight}');
  if (list === undefined) return false;
  const sub = new FieldReader(ref);
  const first = ports[0]?.servicePort;
  const entries = clusterServices(sub, 'multiClusterServices', list, {
    namespace: ref.namespace,
    service: ref.name,
    clusters: clusterNames(ctx.config),
    maxWeight: 100,
    ...(first === undefined ? {} : { servicePort: first }),
  });
  for (const d of sub.diagnostics) {
    const path = (d.field ?? '').replace(/^multiClusterServices\.?/, '');
    const message = path === '' ? d.message : `${path}: ${d.message}`;
    if (d.severity === 'error') r.error(field, message);
    else r.warn(field, message);
  }
  if (!entries) return entries;
  const local = ctx.config.multiCluster?.localClusterName ?? ctx.config.multiCluster?.clusters[0]?.name ?? '';
  // Entries are index-aligned with the list once every entry was accepted.
  const out = entries.map((entry, i) => ({
    entry,
    ownPort: ((list as unknown[])[i] as Record<string, unknown>)['servicePort'] === undefined,
  }));
  const listsItself = entries.some((e) => e.cluster === local && e.backend.namespace === ref.namespace && e.backend.service === ref.name);
  if (!listsItself)
    out.unshift({
      entry: { cluster: local, backend: { namespace: ref.namespace, service: ref.name, servicePort: first ?? 0 }, weight: 100, field },
      ownPort: true,
    });
  return out;
}

export function normalizeLoadBalancerService(svc: Service, ref: ObjectRef, ctx: NormalizeContext): NormalizeResult {
  if (!servesLoadBalancer(svc, ctx.config) || !asksForVirtual(svc)) return { claims: [], diagnostics: [] };
  const r = new FieldReader(ref);
  warnUnsupported(r, svc);
  const address = addressOf(r, svc, ctx);
  const partition = r.partition(annotationField(PARTITION), annotation(svc, PARTITION), ctx.defaultPartition);
  const policy = policyOf(r, ctx, svc, ref.namespace);
  const ports = portsOf(r, svc);
  const monitors = monitorsByProtocol(r, svc, ports);
  const settings = settingsByProtocol(r, policy, ports);
  const explicit = annotatedClusterServices(r, svc, ref, ctx, ports);
  if (r.hasErrors || address === undefined || partition === undefined || explicit === false)
    return { claims: [], diagnostics: r.diagnostics };
  const claims = ports.map((p): VirtualClaim => {
    const route: Route = {
      path: '/',
      backend: { namespace: ref.namespace, service: ref.name, servicePort: p.servicePort },
      monitors: monitors.get(p.protocol) ?? [],
      field: p.field,
      source: ref,
      ...(policy?.pool ? { pool: policy.pool } : {}),
      ...(explicit
        ? {
            clusterServices: explicit.map(({ entry, ownPort }) =>
              ownPort ? { ...entry, backend: { ...entry.backend, servicePort: p.servicePort } } : entry,
            ),
          }
        : {}),
    };
    return {
      source: ref,
      object: svc,
      type: p.protocol,
      l4Mode: 'standard',
      partition,
      address,
      port: p.port,
      virtualName: `vs_lb_svc_${ref.namespace}_${ref.name}`,
      snat: policy?.snat ?? 'auto',
      settings: settings.get(p.protocol) ?? {},
      routes: [route],
    };
  });
  return { claims, diagnostics: r.diagnostics };
}
