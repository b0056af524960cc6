import type { MonitorSpec, VirtualServerPoolSpec } from '../kube/types.js';
import { parseLabelSelector } from '../kube/label-selector.js';
import type { BackendRef, MonitorModel } from '../model/virtual.js';
import type { Member } from '../resolve/member.js';
import { sortMembers } from '../resolve/member.js';
import { absent, isBigipPath } from './fields.js';
import type { FieldReader } from './fields.js';

const MONITOR_TYPES = ['http', 'https', 'tcp', 'udp'] as const;

function positiveInt(r: FieldReader, field: string, value: unknown): number | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 86400) {
    r.error(field, `${JSON.stringify(value)} must be a whole number of seconds between 1 and 86400`);
    return false;
  }
  return value;
}

/**
 * interval/timeout in seconds. A timeout not above the interval lets a member be marked down
 * between two probes, but the BIG-IP accepts it and CIS's own examples use `interval: 10, timeout:
 * 10`, so it is translated as written, with a warning that says what to write instead.
 */
function monitorTiming(r: FieldReader, field: string, spec: MonitorSpec): { interval?: number; timeout?: number } | undefined {
  const interval = positiveInt(r, `${field}.interval`, spec.interval);
  const timeout = positiveInt(r, `${field}.timeout`, spec.timeout);
  if (interval === false || timeout === false) return undefined;
  if (interval !== undefined && timeout !== undefined && timeout <= interval) {
    r.warn(
      `${field}.timeout`,
      `${timeout} is not greater than interval (${interval}s): a member may be marked down between two probes; set timeout to more than the interval, such as 3 × interval + 1 (${3 * interval + 1})`,
    );
  }
  return { ...(interval === undefined ? {} : { interval }), ...(timeout === undefined ? {} : { timeout }) };
}

/** `timeUntilUp`: seconds (0 to 1800, AS3's range) a member waits after a successful probe before it takes traffic. */
function timeUntilUp(r: FieldReader, field: string, value: unknown): number | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 1800) return value;
  r.error(field, `${JSON.stringify(value)} must be a whole number of seconds between 0 and 1800`);
  return false;
}

/** What an entry without `type` becomes: the pool's protocol, except SCTP, which has no AS3 monitor. */
export type DefaultMonitorType = 'http' | 'tcp' | 'udp' | 'sctp';

/** The entry's `type`, or the pool's when it has none (SCTP has none to give). */
function monitorType(
  r: FieldReader,
  field: string,
  spec: MonitorSpec,
  defaultType: DefaultMonitorType,
): (typeof MONITOR_TYPES)[number] | undefined {
  if (defaultType === 'sctp' && absent(spec.type)) {
    return r.error(
      `${field}.type`,
      'is required for an SCTP pool (AS3 has no SCTP monitor): use tcp, udp, http or https, or reference a BIG-IP monitor',
    );
  }
  const type = spec.type ?? defaultType;
  if ((MONITOR_TYPES as readonly string[]).includes(type)) return type as (typeof MONITOR_TYPES)[number];
  return r.error(`${field}.type`, `"${type}" must be one of ${MONITOR_TYPES.join(', ')}`);
}

function normalizeMonitor(r: FieldReader, field: string, spec: MonitorSpec, defaultType: DefaultMonitorType): MonitorModel | undefined {
  if (typeof spec !== 'object' || spec === null) return r.error(field, 'must be an object');
  if (spec.reference === 'bigip') {
    if (typeof spec.name !== 'string' || !spec.name.startsWith('/')) {
      return r.error(
        `${field}.name`,
        'a monitor with reference: bigip needs the full path of an existing BIG-IP monitor, e.g. /Common/http',
      );
    }
    return { bigip: spec.name };
  }
  const type = monitorType(r, field, spec, defaultType);
  const timing = type && monitorTiming(r, field, spec);
  if (!type || !timing) return undefined;
  const monitor: MonitorModel = { type, ...timing };
  for (const key of ['send', 'recv'] as const) {
    const value: unknown = spec[key];
    if (absent(value)) continue;
    if (typeof value !== 'string') return r.error(`${field}.${key}`, `${JSON.stringify(value)} must be a string`);
    if (key === 'send') monitor.send = value;
    else monitor.receive = value;
  }
  return probeOptions(r, field, spec, monitor) ? monitor : undefined;
}

/** `sslProfile`, `timeUntilUp` and `targetPort` onto `monitor`; false after an error. */
function probeOptions(r: FieldReader, field: string, spec: MonitorSpec, monitor: Exclude<MonitorModel, { bigip: string }>): boolean {
  if (spec.sslProfile !== undefined && spec.sslProfile !== '') {
    if (monitor.type !== 'https')
      r.warn(`${field}.sslProfile`, 'ignored: only https monitors use a server-ssl profile; remove it, or set type: https');
    else if (!isBigipPath(spec.sslProfile)) {
      r.error(
        `${field}.sslProfile`,
        `${JSON.stringify(spec.sslProfile)} must be the path of a BIG-IP server-ssl profile, such as /Common/serverssl`,
      );
      return false;
    } else monitor.sslProfile = spec.sslProfile;
  }
  const upAfter = timeUntilUp(r, `${field}.timeUntilUp`, spec.timeUntilUp);
  if (upAfter === false) return false;
  if (upAfter !== undefined) monitor.timeUntilUp = upAfter;
  if (spec.targetPort !== undefined) {
    const port = r.port(`${field}.targetPort`, spec.targetPort);
    if (port === undefined) return false;
    monitor.targetPort = port;
  }
  return true;
}

/**
 * Health monitors of a pool; an entry without `type` takes `defaultType`, and on SCTP (which has no
 * AS3 monitor) must name its type or a BIG-IP monitor. CIS reads `monitor` first although its docs
 * say `monitors` wins when both are set; kube-as3 follows the documented intent (`monitors` wins)
 * and warns about the other.
 */
export function normalizeMonitors(
  r: FieldReader,
  field: string,
  pool: VirtualServerPoolSpec,
  defaultType: DefaultMonitorType,
): MonitorModel[] {
  const list = pool.monitors;
  if (list !== undefined && !Array.isArray(list)) {
    r.error(`${field}.monitors`, 'must be a list');
    return [];
  }
  if (list && list.length > 0) {
    if (pool.monitor) r.warn(`${field}.monitor`, 'ignored because monitors is also set; move it into monitors, or remove it');
    return list.flatMap((m, i) => normalizeMonitor(r, `${field}.monitors[${i}]`, m, defaultType) ?? []);
  }
  if (pool.monitor) {
    const m = normalizeMonitor(r, `${field}.monitor`, pool.monitor, defaultType);
    return m ? [m] : [];
  }
  return [];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/;

/**
 * `key=value` (or `key=`), the node label a pool's nodeport members must carry. CIS's examples write
 * an empty value as `key=""` (CIS reads the two quotes as the empty value), so that means `key=` too.
 */
function nodeMemberLabel(r: FieldReader, field: string, label: unknown): string | undefined | false {
  if (label === undefined || label === null || label === '') return undefined;
  const text = typeof label === 'string' ? label.replace(/=(""|'')$/, '=') : undefined;
  const parsed = text !== undefined && /^[^=!,\s]+=[^=,\s]*$/.test(text) ? parseLabelSelector(text) : undefined;
  if (text !== undefined && parsed && !('error' in parsed)) return text;
  r.error(
    `${field}.nodeMemberLabel`,
    `${JSON.stringify(label)} must be key=value (or key= for a label with an empty value), such as node-role.kubernetes.io/worker=`,
  );
  return false;
}

/** `staticPoolMembers`: fixed `{address, port}` members appended to the pool. */
function staticMembers(r: FieldReader, field: string, list: unknown): Member[] | false {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    r.error(`${field}.staticPoolMembers`, 'must be a list of {address, port}');
    return false;
  }
  const members: Member[] = [];
  list.forEach((m: { address?: unknown; port?: unknown } | null, i) => {
    const where = `${field}.staticPoolMembers[${i}]`;
    const address = r.address(`${where}.address`, m?.address);
    const port = r.port(`${where}.port`, m?.port);
    if (address !== undefined && port !== undefined) members.push({ address, port });
  });
  return members.length === list.length ? members : false;
}

/** A Service port by number (also as a numeric string) or by name. */
function servicePortOf(r: FieldReader, field: string, value: unknown): number | string | undefined {
  if (value === undefined || value === null || value === '') return r.error(field, 'is required');
  if (typeof value === 'number') return r.port(field, value);
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) return r.port(field, Number(value));
  if (typeof value === 'string' && PORT_NAME.test(value)) return value;
  return r.error(field, `${JSON.stringify(value)} must be a port number or a port name`);
}

/** The Service reference of a pool; namespace defaults to the resource's own. */
export function normalizeBackend(r: FieldReader, field: string, pool: VirtualServerPoolSpec, namespace: string): BackendRef | undefined {
  const { service, servicePort } = pool;
  if (typeof service !== 'string' || service === '') return r.error(`${field}.service`, 'is required');
  if (!DNS_LABEL.test(service)) return r.error(`${field}.service`, `"${service}" is not a valid Service name`);
  const ns = r.namespace(`${field}.serviceNamespace`, pool.serviceNamespace, namespace);
  if (ns === undefined) return undefined;
  const port = servicePortOf(r, `${field}.servicePort`, servicePort);
  if (port === undefined) return undefined;
  const label = nodeMemberLabel(r, field, pool.nodeMemberLabel);
  const statics = staticMembers(r, field, pool.staticPoolMembers);
  if (label === false || statics === false) return undefined;
  return {
    namespace: ns,
    service,
    servicePort: port,
    ...(label === undefined ? {} : { nodeMemberLabel: label }),
    ...(statics.length === 0 ? {} : { staticMembers: sortMembers(statics) }),
  };
}

/** `/`, `/a`, `/a/b`: leading slash, no empty segments, no trailing slash. */
export function normalizePath(r: FieldReader, field: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return '/';
  if (typeof value !== 'string' || !value.startsWith('/')) return r.error(field, `${JSON.stringify(value)} must start with /`);
  if (/[\s?#]/.test(value)) return r.error(field, `"${value}" must be a plain path without spaces, query or fragment`);
  const segments = value.split('/').filter((s) => s !== '');
  return `/${segments.join('/')}`;
}
