import type { ObjectRef } from '../kube/refs.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import { diagnostic } from '../kube/diagnostic.js';
import { canonicalAddress, parseAddress } from '../lib/ip.js';
import type { Snat } from '../model/virtual.js';

/** An unset field: absent, null or the empty string (how YAML users leave a field out). */
export function absent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** A plain object field, or `{}` when the field is anything else (absent or malformed). */
export function objectOrEmpty(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The field path of an annotation, as diagnostics name it: `metadata.annotations["key"]`. */
export function annotationField(key: string): string {
  return `metadata.annotations[${JSON.stringify(key)}]`;
}

/** A lower-case host name, optionally with a leading `*.` wildcard (VirtualServer, Ingress). */
export const VIRTUAL_HOST = /^(\*\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/**
 * `/Partition/name` or `/Partition/folder/name`, as BIG-IP paths are written. Object names may
 * hold spaces and `:` (the builtin `/Common/Log all requests`), but not the characters AS3's
 * `f5bigip` format forbids.
 */
// eslint-disable-next-line no-control-regex -- AS3 forbids control characters in BIG-IP paths
const BIGIP_PATH = /^\/[A-Za-z0-9_.-]+(\/[^\x00-\x1f"#'*<>?[\\\]{|}\x7f/]+){1,2}$/;

/** A namespace name: a DNS label (RFC 1123), at most 63 characters. */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function isBigipPath(value: unknown): value is string {
  return typeof value === 'string' && BIGIP_PATH.test(value);
}

/** Where and as what a resource listens: the fields VirtualServer and TransportServer share. */
export interface Listener {
  address: string;
  port: number;
  partition: string;
  snat: Snat;
  virtualName?: string;
}

export interface ListenerSpec {
  virtualServerAddress?: unknown;
  ipamLabel?: unknown;
  partition?: unknown;
  snat?: unknown;
  virtualServerName?: unknown;
  bigipRouteDomain?: unknown;
}
/**
 * Field checks shared by the normalizers. Each returns the clean value or undefined, pushing a
 * diagnostic that names the field when the value is unusable.
 */
export class FieldReader {
  readonly diagnostics: Diagnostic[] = [];

  constructor(readonly ref: ObjectRef) {}

  error(field: string, message: string): undefined {
    this.diagnostics.push(diagnostic(this.ref, 'error', message, field));
    return undefined;
  }

  /** `event`: the reason of the Warning Event `run` records when the warning appears (see Diagnostic). */
  warn(field: string, message: string, event?: string): void {
    const d = diagnostic(this.ref, 'warning', message, field);
    if (event !== undefined) d.event = event;
    this.diagnostics.push(d);
  }

  /** A namespace name (`policyNamespace`, `serviceNamespace`); absent means `fallback`. */
  namespace(field: string, value: unknown, fallback: string): string | undefined {
    if (value === undefined || value === null || value === '') return fallback;
    if (typeof value === 'string' && NAMESPACE_NAME.test(value)) return value;
    return this.error(field, `${JSON.stringify(value)} is not a valid namespace name`);
  }

  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  /**
   * An address in its canonical form (lib/ip.ts `canonicalAddress`: RFC 5952 IPv6, IPv4-mapped as
   * IPv4), so that two spellings of one address are one listener, one name and one conflict.
   */
  address(field: string, value: unknown): string | undefined {
    if (value === undefined || value === null || value === '') return this.error(field, 'is required');
    const canonical = typeof value === 'string' ? canonicalAddress(value) : undefined;
    if (canonical === undefined) return this.error(field, `"${String(value)}" is not an IPv4 or IPv6 address`);
    return canonical;
  }

  port(field: string, value: unknown, fallback?: number): number | undefined {
    if (value === undefined || value === null) {
      return fallback ?? this.error(field, 'is required');
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
      return this.error(field, `${JSON.stringify(value)} is not a port number (1-65535)`);
    }
    return value;
  }

  partition(field: string, value: unknown, fallback: string): string | undefined {
    if (value === undefined || value === null || value === '') return fallback;
    if (typeof value !== 'string' || !/^[A-Za-z][0-9A-Za-z_.-]{0,63}$/.test(value)) {
      return this.error(field, `"${String(value)}" is not a valid partition name`);
    }
    if (value === 'Common') {
      return this.error(field, 'the Common partition is reserved for the BIG-IP system; use another partition');
    }
    return value;
  }

  snat(field: string, value: unknown): Snat | undefined {
    if (value === undefined || value === null || value === '' || value === 'auto') return 'auto';
    if (value === 'none' || value === 'self') return value;
    if (isBigipPath(value)) return { bigip: value };
    return this.error(field, `${JSON.stringify(value)} must be auto, none, self or a SNAT pool path such as /Common/my-snatpool`);
  }

  /** A host name (`shop.example.com`, `*.example.com`), lower-cased; undefined after an error. */
  virtualHost(field: string, value: unknown): string | undefined {
    const host = typeof value === 'string' ? value.toLowerCase() : '';
    if (!VIRTUAL_HOST.test(host) || host.length > 253) {
      return this.error(field, `${JSON.stringify(value)} is not a valid host name (a leading *. wildcard is allowed)`);
    }
    return host;
  }

  /**
   * Address, port, partition, SNAT and name of a virtual. `portField`/`portValue` differ per kind
   * (virtualServerHTTPPort with default 80, virtualServerPort required).
   */
  listener(
    spec: ListenerSpec,
    portField: string,
    portValue: unknown,
    defaultPort: number | undefined,
    defaultPartition: string,
  ): Listener | undefined {
    const wantsIpam = (spec.virtualServerAddress === undefined || spec.virtualServerAddress === '') && Boolean(spec.ipamLabel);
    const plain = wantsIpam
      ? this.error(
          'spec.ipamLabel',
          'IPAM needs spec.host or spec.hostGroup to key the allocation (resources sharing a host share its address); set one, or set spec.virtualServerAddress',
        )
      : this.address('spec.virtualServerAddress', spec.virtualServerAddress);
    const address = plain === undefined ? undefined : this.withRouteDomain(plain, spec.bigipRouteDomain);
    const port = this.port(portField, portValue, defaultPort);
    const partition = this.partition('spec.partition', spec.partition, defaultPartition);
    const snat = this.snat('spec.snat', spec.snat);
    const virtualName = this.virtualName('spec.virtualServerName', spec.virtualServerName);
    if (address === undefined || port === undefined || partition === undefined || snat === undefined) return undefined;
    return { address, port, partition, snat, ...(virtualName === undefined ? {} : { virtualName }) };
  }

  /**
   * `bigipRouteDomain` becomes the `%N` suffix of the virtual address (and, for node members, of
   * the members: see resolve). Route domain 0 is the default one and adds nothing.
   */
  withRouteDomain(address: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return address;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
      return this.error('spec.bigipRouteDomain', `${JSON.stringify(value)} must be a route domain id (0-65535)`);
    }
    const existing = parseAddress(address)?.routeDomain;
    if (existing !== undefined && existing !== value) {
      return this.error('spec.bigipRouteDomain', `${value} contradicts the %${existing} in spec.virtualServerAddress`);
    }
    return value === 0 || existing !== undefined ? address : `${address}%${value}`;
  }

  /** Warns about fields CIS supports that this version does not translate yet (never silently dropped). */
  unsupported(spec: Record<string, unknown>, fields: readonly string[]): void {
    for (const field of fields) {
      if (spec[field] !== undefined)
        this.warn(`spec.${field}`, 'is not supported by this version of kube-as3 and was ignored; remove it, or keep it for CIS');
    }
  }

  virtualName(field: string, value: unknown): string | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' || !/^[A-Za-z][0-9A-Za-z_.-]{0,50}$/.test(value)) {
      return this.error(
        field,
        `${JSON.stringify(value)} must start with a letter and contain only letters, digits, _ . - (at most 51 characters)`,
      );
    }
    return value;
  }
}
