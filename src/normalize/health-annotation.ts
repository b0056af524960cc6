import type { MonitorSpec } from '../kube/types.js';
import type { MonitorModel } from '../model/virtual.js';
import { FieldReader } from './fields.js';
import { parseJsonAnnotation } from './json-annotation.js';
import { normalizeMonitors } from './pool.js';
import type { DefaultMonitorType } from './pool.js';

const EXAMPLE = '{"type": "tcp", "interval": 10, "timeout": 31}';

/** `health.monitors[0].interval` → the part of the annotation a problem is about (`[0].interval`, `interval` for a single object). */
function entryPath(field: string | undefined, single: boolean): string {
  const rest = (field ?? '').replace(/^health\.monitors/, '');
  return single ? rest.replace(/^\[0\]\.?/, '') : rest;
}

/**
 * Monitors written as JSON objects in an annotation, checked as VirtualServer pool monitors are
 * (`type`, `send`, `recv`, `interval`, `timeout`, `targetPort`, `sslProfile`, or `name` +
 * `reference: bigip`; an entry without `type` gets `defaultType`). Every problem is reported on the
 * annotation `field`, the message saying which entry and key (`[1].timeout: ...`; `timeout: ...`
 * for a `single` object). Undefined after an error, else one monitor per entry, in order.
 */
export function annotationMonitors(
  r: FieldReader,
  field: string,
  list: unknown[],
  defaultType: DefaultMonitorType,
  single = false,
): MonitorModel[] | undefined {
  const sub = new FieldReader(r.ref);
  const monitors = normalizeMonitors(sub, 'health', { monitors: list as MonitorSpec[] }, defaultType);
  for (const d of sub.diagnostics) {
    const path = entryPath(d.field, single);
    const message = path === '' ? d.message : `${path}: ${d.message}`;
    if (d.severity === 'error') r.error(field, message);
    else r.warn(field, message);
  }
  return sub.hasErrors ? undefined : monitors;
}

/**
 * The `cis.f5.com/health` annotation of a LoadBalancer Service: a JSON monitor object, or a list
 * of them, with the fields of VirtualServer pool monitors (`type`, `send`, `recv`, `interval`,
 * `timeout`, `targetPort`, or `name` + `reference: bigip`). An entry without `type` takes the port's
 * protocol. Undefined after reporting every problem at `field`, the message saying which entry.
 */
export function parseHealthAnnotation(
  r: FieldReader,
  field: string,
  text: string,
  defaultType: DefaultMonitorType,
): MonitorModel[] | undefined {
  const expected = `a monitor object or a list of them, such as ${EXAMPLE}`;
  const value = parseJsonAnnotation(r, field, text, expected);
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) return r.error(field, `must be ${expected}`);
  const single = !Array.isArray(value);
  const list = single ? [value] : (value as unknown[]);
  return annotationMonitors(r, field, list, defaultType, single);
}
