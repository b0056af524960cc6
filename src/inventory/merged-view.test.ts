import assert from 'node:assert/strict';
import type { Ingress, KnownKind, KubeObject, Service } from '../kube/types.js';
import { cisResource, service, tlsSecret } from '../../test/support/fixtures.js';
import type { ClusterEntry } from './cluster-set.js';
import { ClusterState } from './cluster-state.js';
import { MergedView } from './merged-view.js';

/** Clusters in precedence order, each holding the given objects (kind taken from the object). */
function clusters(...contents: KubeObject[][]): ClusterEntry[] {
  return contents.map((objects, rank) => {
    const name = ['east', 'west', 'south'][rank] ?? `c${rank}`;
    const state = new ClusterState(name);
    for (const o of objects) state.upsert(o, o.kind as KnownKind);
    return { name, state, ratio: 1, adminState: 'enable', rank };
  });
}

function state(entries: ClusterEntry[], i: number): ClusterState {
  return (entries[i] as ClusterEntry).state;
}

const vs = (host: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject => {
  const obj = cisResource<KubeObject>('VirtualServer', 'shop', 'web', { host, virtualServerAddress: '10.8.20.1', pools: [] });
  return { ...obj, metadata: { ...obj.metadata, ...extra } };
};

function lbService(spec: Service['spec'] = {}, annotations: Record<string, string> = {}): Service {
  const svc = service('shop', 'lb', {
    type: 'LoadBalancer',
    ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }],
    ...spec,
  });
  return { ...svc, metadata: { ...svc.metadata, annotations: { 'cis.f5.com/ip': '10.8.20.9', ...annotations } } };
}

const everything = (): boolean => true;

describe('MergedView', () => {
  it("gives the first cluster's copy of an object, and a later cluster's when only it has one", () => {
    const entries = clusters([vs('east.example.com')], [vs('west.example.com'), service('shop', 'api')]);
    const view = new MergedView(entries);
    assert.equal(view.get<KubeObject & { spec: { host: string } }>('VirtualServer', 'shop', 'web')?.spec.host, 'east.example.com');
    assert.equal(view.get('Service', 'shop', 'api')?.metadata?.name, 'api');
    assert.equal(view.get('Service', 'shop', 'missing'), undefined);
  });

  it("lists one object per namespace/name, the first cluster's copy", () => {
    const entries = clusters(
      [vs('east.example.com'), service('shop', 'web')],
      [vs('west.example.com'), service('shop', 'api'), service('shop', 'web')],
    );
    const view = new MergedView(entries);
    const listed = view.list<KubeObject & { spec: { host: string } }>('VirtualServer');
    assert.deepEqual(
      listed.map((o) => o.spec.host),
      ['east.example.com'],
    );
    assert.deepEqual(
      view
        .list('Service')
        .map((s) => s.metadata?.name)
        .sort(),
      ['api', 'web'],
    );
    assert.equal(
      view.list('Service').find((s) => s.metadata?.name === 'web'),
      state(entries, 0).service('shop', 'web'),
    );
  });

  it("changes an object's revision when the copy used changes, not when a later copy does", () => {
    const entries = clusters([vs('a.example.com')], [vs('a.example.com')]);
    const view = (): MergedView => new MergedView(entries);
    const start = view().revisionOf('VirtualServer', 'shop', 'web');
    state(entries, 1).upsert(vs('b.example.com'), 'VirtualServer');
    assert.equal(view().revisionOf('VirtualServer', 'shop', 'web'), start, 'a later copy changed');
    state(entries, 0).upsert(vs('c.example.com'), 'VirtualServer');
    const changed = view().revisionOf('VirtualServer', 'shop', 'web');
    assert.notEqual(changed, start);
    state(entries, 0).remove('VirtualServer', 'shop', 'web');
    const fallback = view().revisionOf('VirtualServer', 'shop', 'web');
    assert.notEqual(fallback, changed, 'the later copy is used now');
    assert.notEqual(fallback, 0);
    state(entries, 1).remove('VirtualServer', 'shop', 'web');
    assert.equal(view().revisionOf('VirtualServer', 'shop', 'web'), 0, 'absent everywhere');
  });

  it("changes the resource and Secret revisions when any cluster's change", () => {
    const entries = clusters([vs('a.example.com')], []);
    const view = new MergedView(entries);
    const [resources, secrets] = [view.resourceRevision, view.secretRevision];
    state(entries, 1).upsert(vs('b.example.com'), 'VirtualServer');
    assert.notEqual(view.resourceRevision, resources);
    assert.equal(view.secretRevision, secrets);
    state(entries, 1).upsert(tlsSecret('shop', 'tls', { 'tls.crt': 'x' }), 'Secret');
    assert.notEqual(view.secretRevision, secrets);
    const now = view.resourceRevision;
    state(entries, 0).upsert(service('shop', 'plain'), 'Service');
    assert.equal(view.resourceRevision, now, 'a ClusterIP Service is no resource');
  });

  describe('conflicts', () => {
    const transport = (port: number): KubeObject =>
      cisResource('TransportServer', 'shop', 'db', {
        virtualServerAddress: '10.8.20.2',
        virtualServerPort: port,
        pool: { service: 'db', servicePort: 5432 },
      });
    const ingress = (path: string): Ingress => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { namespace: 'shop', name: 'ing' },
      spec: {
        rules: [
          {
            host: 'shop.example.com',
            http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] },
          },
        ],
      },
    });
    const cases: Array<[string, KubeObject, KubeObject, boolean]> = [
      ['differing VirtualServer specs', vs('a.example.com'), vs('b.example.com'), true],
      ['differing VirtualServer labels', vs('a.example.com'), vs('a.example.com', { labels: { f5cr: 'true', team: 'x' } }), true],
      ['differing VirtualServer annotations', vs('a.example.com'), vs('a.example.com', { annotations: { note: 'x' } }), true],
      ['identical VirtualServers', vs('a.example.com'), vs('a.example.com'), false],
      [
        'VirtualServers differing in the kubectl last-applied annotation only',
        vs('a.example.com', { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"a":1}' } }),
        vs('a.example.com', { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"b":2}' } }),
        false,
      ],
      ['differing TransportServers', transport(5432), transport(5433), true],
      ['identical TransportServers', transport(5432), transport(5432), false],
      ['differing Ingresses', ingress('/'), ingress('/shop'), true],
      ['identical Ingresses', ingress('/'), ingress('/'), false],
      [
        'LoadBalancer Services differing in nodePort and clusterIP only',
        lbService({ clusterIP: '10.96.0.1' }),
        lbService({ clusterIP: '10.100.0.7', ports: [{ name: 'http', port: 80, nodePort: 31999, protocol: 'TCP' }] }),
        false,
      ],
      ['LoadBalancer Services differing in annotations', lbService(), lbService({}, { 'cis.f5.com/ip': '10.8.20.10' }), true],
      [
        'LoadBalancer Services differing in ports',
        lbService(),
        lbService({ ports: [{ name: 'http', port: 8080, nodePort: 30080, protocol: 'TCP' }] }),
        true,
      ],
      ['a LoadBalancer Service and a later ClusterIP Service of the name', lbService(), service('shop', 'lb'), false],
      [
        'a ClusterIP Service and a later ClusterIP Service of the name',
        service('shop', 'lb', { clusterIP: '10.96.0.1' }),
        service('shop', 'lb', { clusterIP: '10.100.0.2', ports: [] }),
        false,
      ],
    ];
    for (const [what, first, later, conflict] of cases) {
      it(`${conflict ? 'reports' : 'does not report'} ${what}`, () => {
        const found = new MergedView(clusters([first], [later])).conflicts(everything);
        if (!conflict) return assert.deepEqual(found, []);
        assert.equal(found.length, 1, JSON.stringify(found));
        const [d] = found;
        assert.equal(d?.severity, 'error');
        assert.deepEqual(d?.ref, { kind: later.kind, namespace: 'shop', name: later.metadata?.name, cluster: 'west' }, 'on the later copy');
        assert.match(d?.message ?? '', /differs from the copy in cluster east, which comes first .* this copy is ignored until they match/);
      });
    }

    it("reports a later LoadBalancer copy as ignored when the first cluster's Service of that name is not one", () => {
      const found = new MergedView(clusters([service('shop', 'lb')], [lbService()], [lbService()])).conflicts(everything);
      assert.deepEqual(
        found.map((d) => [d.severity, d.ref.cluster]),
        [
          ['error', 'west'],
          ['error', 'south'],
        ],
      );
      assert.match(
        found[0]?.message ?? '',
        /^is ignored: cluster east, first in the cluster list, has a Service of this name that is not a LoadBalancer/,
      );
    });

    it('compares every later copy with the first, naming the first cluster', () => {
      const found = new MergedView(clusters([vs('a.example.com')], [vs('a.example.com')], [vs('c.example.com')])).conflicts(everything);
      assert.deepEqual(
        found.map((d) => d.ref.cluster),
        ['south'],
      );
      assert.match(found[0]?.message ?? '', /cluster east/);
    });

    it('leaves out copies this controller does not serve', () => {
      const seen: string[] = [];
      const served = (kind: KnownKind, obj: KubeObject): boolean => {
        seen.push(`${kind}/${obj.metadata?.name ?? ''}`);
        return kind !== 'VirtualServer';
      };
      const found = new MergedView(
        clusters([vs('a.example.com'), lbService()], [vs('b.example.com'), lbService({}, { other: 'x' })]),
      ).conflicts(served);
      assert.deepEqual(
        found.map((d) => d.ref.kind),
        ['Service'],
      );
      assert.ok(seen.includes('VirtualServer/web'), 'asked about the later VirtualServer copy');
    });
  });
});
