/**
 * The last-known-good scenario shared by the `run`, `run --manifests` and `apply` tests: Service
 * shop/web, VirtualServer `solo` alone on 10.1.1.2, and VirtualServers `a` and `b` sharing the
 * virtual 10.1.1.1:80. A step makes `solo` and `b` invalid in a way the CRD accepts (a Service port
 * the Service does not have, or a load-balancing method the BIG-IP does not know), fixes them, or
 * deletes them.
 */
import type { FakeBigip } from './fake-bigip.js';

export type Breakage = 'servicePort' | 'loadBalancingMethod';

export interface ScenarioStep {
  /** solo and b: valid, invalid (by `breakage`), fixed (valid, with another host), or absent. */
  soloAndB: 'valid' | 'invalid' | 'fixed' | 'deleted';
  breakage: Breakage;
  /** a also routes /v2 (a change of the valid resource sharing b's virtual). */
  aAddsV2?: boolean;
}

function pool(step: ScenarioStep): string {
  if (step.soloAndB !== 'invalid') return '{path: /, service: web, servicePort: 80}';
  return step.breakage === 'servicePort'
    ? '{path: /, service: web, servicePort: 9999}'
    : '{path: /, service: web, servicePort: 80, loadBalancingMethod: fastest-guess}';
}

function virtualServer(name: string, address: string, host: string, pools: string): string {
  return `apiVersion: cis.f5.com/v1\nkind: VirtualServer\nmetadata: {name: ${name}, namespace: shop, labels: {f5cr: "true"}}\nspec: {host: ${host}, virtualServerAddress: ${address}, pools: [${pools}]}`;
}

/** The objects of one step, as multi-document YAML (Namespaces included, for a real API server). */
export function scenarioObjects(step: ScenarioStep): string {
  const docs = [
    'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}',
    'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{name: http, port: 80, targetPort: 8080}]}',
    'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-a, namespace: shop, labels: {kubernetes.io/service-name: web}}\naddressType: IPv4\nports: [{name: http, port: 8080}]\nendpoints: [{addresses: [172.16.0.1], conditions: {ready: true}}]',
    virtualServer(
      'a',
      '10.1.1.1',
      'a.example.com',
      `{path: /, service: web, servicePort: 80}${step.aAddsV2 ? ', {path: /v2, service: web, servicePort: 80}' : ''}`,
    ),
  ];
  if (step.soloAndB !== 'deleted') {
    const suffix = step.soloAndB === 'fixed' ? '-fixed' : '';
    docs.push(
      virtualServer('solo', '10.1.1.2', `solo${suffix}.example.com`, pool(step)),
      virtualServer('b', '10.1.1.1', `b${suffix}.example.com`, pool(step)),
    );
  }
  return `${docs.join('\n---\n')}\n`;
}

export const SHARED_APP = 'crd_10_1_1_1_80';
export const SOLO_APP = 'crd_10_1_1_2_80';

/** An application of tenant shop on the fake BIG-IP. */
export function deviceApp(bigip: FakeBigip, name: string): Record<string, unknown> | undefined {
  return bigip.tenants()['shop']?.[name] as Record<string, unknown> | undefined;
}

/** The sources an application on the device records (`Kind/ns/name` → version). */
export function deviceSources(bigip: FakeBigip, name: string): Record<string, string> {
  return (deviceApp(bigip, name)?.['constants'] as { kubeAs3Sources?: Record<string, string> } | undefined)?.kubeAs3Sources ?? {};
}

/** The hosts the shared virtual's policy routes, in rule order (`host path`). */
export function sharedRoutes(bigip: FakeBigip): string[] {
  const app = deviceApp(bigip, SHARED_APP) ?? {};
  type Condition = { name?: string; all?: { values: string[] }; pathSegment?: { values: string[] }; index?: number };
  const policy = Object.values(app).find((o) => (o as { class?: string }).class === 'Endpoint_Policy') as
    { rules?: Array<{ conditions: Condition[] }> } | undefined;
  return (policy?.rules ?? []).map((r) => {
    const host = r.conditions.find((c) => c.name === 'host')?.all?.values[0] ?? '*';
    const segments = r.conditions.filter((c) => c.pathSegment !== undefined).map((c) => c.pathSegment?.values[0] ?? '');
    return `${host} /${segments.join('/')}`;
  });
}
