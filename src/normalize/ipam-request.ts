/**
 * Which resources ask IPAM for their virtual address (docs/ipam.md), under which key, and the address
 * they got. Keys are CIS's, so resources that share a host (or a hostGroup) share an address:
 * `<ns>/<host>_host`, `<hostGroup>_hg`, `<ns>/<name>_ts`, `<ns>/<name>_svc`, and `<ns>/<name>_ing`
 * for Ingresses (a kube-as3 extension: CIS's Ingress support has no IPAM).
 *
 * The planner collects every ask before normalizing (allocation must be deterministic and see all
 * of them at once); normalizers then read their address from the context by the same key.
 */
import type { Config } from '../config/config.js';
import type { IpamOutcome, IpamRequest } from '../ipam/allocator.js';
import type { Ingress, KubeObject, Service, TransportServer, VirtualServer } from '../kube/types.js';
import type { NormalizeContext } from './context.js';
import type { InLabel, IpamOutcomes } from './ipam-outcomes.js';

export type { InLabel, IpamOutcomes };
import type { FieldReader } from './fields.js';

export const SERVICE_IPAM_ANNOTATION = 'cis.f5.com/ipamLabel';
export const INGRESS_IPAM_ANNOTATION = 'virtual-server.f5.com/ipamLabel';
/** The Event reason of a resource whose IPAM address is kept although its label would not give it today. */
export const IPAM_KEPT_EVENT = 'IPAMAddressKept';

/** An IPAM request and the field it came from (for messages). */
export interface IpamAsk extends IpamRequest {
  field: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function annotationOf(obj: KubeObject, name: string): string | undefined {
  return text(obj.metadata?.annotations?.[name]);
}

/**
 * `ipamLabel` with an address: the address is used as it is, and reserved in IPAM when it lies in
 * the label's ranges (so IPAM never hands it to another resource). Without an address: allocation.
 */
function customResourceAsk(
  key: string | undefined,
  label: string | undefined,
  address: string | undefined,
  inLabel: InLabel,
): IpamAsk | undefined {
  if (!label || !key) return undefined;
  if (address === undefined) return { key, label, field: 'spec.ipamLabel' };
  return inLabel(label, address) ? { key, label, address, field: 'spec.virtualServerAddress' } : undefined;
}

function virtualServerKey(vs: VirtualServer): string | undefined {
  const spec = vs.spec ?? {};
  const group = text(spec.hostGroup);
  if (group) return `${group}_hg`;
  const host = text(spec.host);
  return host ? `${vs.metadata?.namespace ?? ''}/${host.toLowerCase()}_host` : undefined;
}

function transportServerKey(ts: TransportServer): string {
  const group = text(ts.spec?.hostGroup);
  return group ? `${group}_hg` : `${ts.metadata?.namespace ?? ''}/${ts.metadata?.name ?? ''}_ts`;
}

/** What the config adds to the asks: the label of Ingresses without an address (`defaultIngressIpamLabel`). */
export interface IpamDefaults {
  ingressLabel?: string;
}

/** The value of `virtual-server.f5.com/ip` that asks for the controller's default Ingress address (as in CIS). */
export const CONTROLLER_DEFAULT = 'controller-default';

/**
 * An Ingress asks IPAM with its own label annotation, or, when it names no address (or names
 * `controller-default`), with the config's `defaultIngressIpamLabel`.
 */
function ingressAsk(ing: Ingress, key: string, defaults: IpamDefaults): IpamAsk | undefined {
  const address = annotationOf(ing, 'virtual-server.f5.com/ip');
  if (address !== undefined && address !== CONTROLLER_DEFAULT) return undefined;
  const label = annotationOf(ing, INGRESS_IPAM_ANNOTATION);
  if (label) return { key, label, field: `metadata.annotations["${INGRESS_IPAM_ANNOTATION}"]` };
  return defaults.ingressLabel ? { key, label: defaults.ingressLabel, field: 'defaultIngressIpamLabel (config)' } : undefined;
}

/** The IPAM ask of one resource, or undefined when it does not use IPAM. */
export function ipamAskOf(kind: string, obj: KubeObject, inLabel: InLabel, defaults: IpamDefaults = {}): IpamAsk | undefined {
  const ns = obj.metadata?.namespace ?? '';
  const name = obj.metadata?.name ?? '';
  switch (kind) {
    case 'VirtualServer': {
      const vs = obj as VirtualServer;
      return customResourceAsk(virtualServerKey(vs), text(vs.spec?.ipamLabel), text(vs.spec?.virtualServerAddress), inLabel);
    }
    case 'TransportServer': {
      const ts = obj as TransportServer;
      return customResourceAsk(transportServerKey(ts), text(ts.spec?.ipamLabel), text(ts.spec?.virtualServerAddress), inLabel);
    }
    case 'Service': {
      const label = annotationOf(obj as Service, SERVICE_IPAM_ANNOTATION);
      if (!label || annotationOf(obj, 'cis.f5.com/ip')) return undefined;
      return { key: `${ns}/${name}_svc`, label, field: `metadata.annotations["${SERVICE_IPAM_ANNOTATION}"]` };
    }
    case 'Ingress':
      return ingressAsk(obj as Ingress, `${ns}/${name}_ing`, defaults);
    default:
      return undefined;
  }
}

/** The config's part of the asks. */
export function ipamDefaults(config: Config): IpamDefaults {
  return config.defaultIngressIpamLabel === undefined ? {} : { ingressLabel: config.defaultIngressIpamLabel };
}

/**
 * The allocated address for a resource's ask, or an error message. `outcomes` undefined means IPAM
 * is not configured at all.
 */
export function ipamAddressFor(ask: IpamAsk, outcomes: IpamOutcomes): IpamOutcome {
  if (!outcomes)
    return {
      error: `IPAM is not configured: add the label "${ask.label}" with its address ranges under ipam.ranges in the config file, or set the address`,
    };
  return outcomes.get(ask.key) ?? { error: `no IPAM allocation for key ${ask.key}` };
}

/**
 * The IPAM address of a resource that asks for one (undefined when it does not), or false after
 * reporting on the resource why it has none (IPAM not configured, range exhausted, address taken).
 * An address IPAM kept although it would not give it today comes with a warning on the resource.
 */
export function ipamAddress(r: FieldReader, ctx: NormalizeContext, kind: string, obj: KubeObject): string | undefined | false {
  const ask = ipamAskOf(kind, obj, ctx.ipam.inLabel, ipamDefaults(ctx.config));
  if (!ask) return undefined;
  const outcome = ipamAddressFor(ask, ctx.ipam.outcomes);
  if ('address' in outcome) {
    if (outcome.warning !== undefined) r.warn(ask.field, outcome.warning, IPAM_KEPT_EVENT);
    return outcome.address;
  }
  r.error(ask.field, outcome.error);
  return false;
}
