import type { Service, ServicePort } from '../kube/types.js';

/**
 * Finds the Service port a pool refers to. As in CIS, a number matches the Service `port` first
 * and then a numeric `targetPort`; a name matches the port `name` first and then a named
 * `targetPort`.
 */
export function findServicePort(service: Service, wanted: number | string): ServicePort | undefined {
  const ports = service.spec?.ports ?? [];
  if (typeof wanted === 'number') {
    return ports.find((p) => p.port === wanted) ?? ports.find((p) => p.targetPort === wanted);
  }
  return ports.find((p) => p.name === wanted) ?? ports.find((p) => p.targetPort === wanted);
}

export function describePorts(service: Service): string {
  const ports = service.spec?.ports ?? [];
  if (ports.length === 0) return 'it has no ports';
  return `its ports are ${ports.map((p) => (p.name ? `${p.name} (${p.port})` : String(p.port))).join(', ')}`;
}
