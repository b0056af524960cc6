import type { Service, ServicePort } from '../kube/types.js';

type Protocol = 'TCP' | 'UDP' | 'SCTP';

/**
 * Finds the Service port a pool refers to. As in CIS, a number matches the Service `port` first
 * and then a numeric `targetPort`; a name matches the port `name` first and then a named
 * `targetPort`. Among ports that match the same way, the one of `protocol` (default TCP) wins:
 * a Service may list 53/TCP and 53/UDP, and a UDP virtual needs the UDP port's nodePort (CIS
 * matched by number only and took the first). A port of another protocol is still taken when it
 * is the only match, as CIS did.
 */
export function findServicePort(service: Service, wanted: number | string, protocol: Protocol = 'TCP'): ServicePort | undefined {
  const ports = service.spec?.ports ?? [];
  const tests: Array<(p: ServicePort) => boolean> =
    typeof wanted === 'number'
      ? [(p) => p.port === wanted, (p) => p.targetPort === wanted]
      : [(p) => p.name === wanted, (p) => p.targetPort === wanted];
  for (const test of tests) {
    const matches = ports.filter(test);
    if (matches.length > 0) return matches.find((p) => (p.protocol ?? 'TCP') === protocol) ?? matches[0];
  }
  return undefined;
}

export function describePorts(service: Service): string {
  const ports = service.spec?.ports ?? [];
  if (ports.length === 0) return 'it has no ports';
  return `its ports are ${ports.map((p) => (p.name ? `${p.name} (${p.port})` : String(p.port))).join(', ')}`;
}
