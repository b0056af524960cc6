import assert from 'node:assert/strict';
import type { Config } from '../config/config.js';
import { defaultConfig } from '../config/parse-config.js';
import type { ClusterServiceBackend } from '../model/virtual.js';
import type { ClusterServicesOptions } from './cluster-services.js';
import { clusterNames, clusterServices } from './cluster-services.js';
import { FieldReader } from './fields.js';

const FIELD = 'spec.pools[0].multiClusterServices';

const OPTIONS: ClusterServicesOptions = { namespace: 'shop', servicePort: 80, clusters: ['east', 'west'], maxWeight: 256 };

interface Read {
  result: ClusterServiceBackend[] | undefined | false;
  /** `severity field: message` per diagnostic. */
  problems: string[];
}

function read(value: unknown, options: Partial<ClusterServicesOptions> = {}): Read {
  const r = new FieldReader({ kind: 'VirtualServer', namespace: 'shop', name: 'web' });
  const result = clusterServices(r, FIELD, value, { ...OPTIONS, ...options });
  return { result, problems: r.diagnostics.map((d) => `${d.severity} ${d.field ?? ''}: ${d.message}`) };
}

function accepted(value: unknown, options: Partial<ClusterServicesOptions> = {}): ClusterServiceBackend[] {
  const { result, problems } = read(value, options);
  assert.deepEqual(problems, []);
  assert.ok(Array.isArray(result), 'accepted');
  return result;
}

describe('clusterServices (multiClusterServices)', () => {
  it('gives undefined, silently, when the field is absent', () => {
    for (const value of [undefined, null]) assert.deepEqual(read(value), { result: undefined, problems: [] });
  });

  it('ignores the field with a warning when no cluster set is configured', () => {
    assert.deepEqual(read([{ clusterName: 'east', service: 'web' }], { clusters: undefined }), {
      result: undefined,
      problems: [
        `warning ${FIELD}: ignored: no cluster set is configured; configure multiCluster in the config file with the clusters it names, or remove the field`,
      ],
    });
  });

  it("reads each entry, defaulting namespace to the resource's, servicePort to the pool's and weight to 100", () => {
    const entries = accepted([
      { clusterName: 'east', service: 'web' },
      { clusterName: 'west', service: 'web-v2', namespace: 'shop-b', servicePort: 'https', weight: 30 },
    ]);
    assert.deepEqual(entries, [
      { cluster: 'east', backend: { namespace: 'shop', service: 'web', servicePort: 80 }, weight: 100, field: `${FIELD}[0]` },
      { cluster: 'west', backend: { namespace: 'shop-b', service: 'web-v2', servicePort: 'https' }, weight: 30, field: `${FIELD}[1]` },
    ]);
  });

  it('takes the `service` option for entries without one (the LoadBalancer annotation: the Service itself)', () => {
    const [entry] = accepted([{ clusterName: 'west', weight: 50 }], { service: 'lb-svc' });
    assert.equal(entry?.backend.service, 'lb-svc');
    assert.equal(accepted([{ clusterName: 'west', service: 'other' }], { service: 'lb-svc' })[0]?.backend.service, 'other');
  });

  it('accepts a weight-0 entry (it takes no traffic) beside others', () => {
    assert.deepEqual(
      accepted([
        { clusterName: 'east', service: 'web', weight: 0 },
        { clusterName: 'west', service: 'web' },
      ]).map((e) => e.weight),
      [0, 100],
    );
  });

  const weights: Array<[number, unknown, boolean]> = [
    [256, 256, true],
    [256, 257, false],
    [100, 100, true],
    [100, 101, false],
    [256, -1, false],
    [256, 1.5, false],
    [256, '50', false],
  ];
  for (const [max, weight, ok] of weights) {
    it(`${ok ? 'accepts' : 'rejects'} weight ${JSON.stringify(weight)} when the largest is ${max}`, () => {
      const { result, problems } = read([{ clusterName: 'east', service: 'web', weight }], { maxWeight: max });
      if (ok) return assert.deepEqual(problems, []);
      assert.equal(result, false);
      assert.deepEqual(problems, [`error ${FIELD}[0].weight: ${JSON.stringify(weight)} must be a whole number from 0 to ${max}`]);
    });
  }

  const rejected: Array<[string, unknown, Partial<ClusterServicesOptions>, string[]]> = [
    [
      'a mapping instead of a list',
      { clusterName: 'east' },
      {},
      [`error ${FIELD}: must be a non-empty list of {clusterName, service, namespace, servicePort, weight}`],
    ],
    ['an empty list', [], {}, [`error ${FIELD}: must be a non-empty list of {clusterName, service, namespace, servicePort, weight}`]],
    ['a string entry', ['east'], {}, [`error ${FIELD}[0]: must be an object`]],
    ['an entry without clusterName', [{ service: 'web' }], {}, [`error ${FIELD}[0].clusterName: is required`]],
    [
      'an unknown clusterName',
      [{ clusterName: 'north', service: 'web' }],
      {},
      [`error ${FIELD}[0].clusterName: cluster "north" is not in the cluster set (east, west)`],
    ],
    [
      'a bad namespace',
      [{ clusterName: 'east', service: 'web', namespace: 'Shop_A' }],
      {},
      [`error ${FIELD}[0].namespace: "Shop_A" is not a valid namespace name`],
    ],
    [
      'no servicePort and none on the pool',
      [{ clusterName: 'east', service: 'web' }],
      { servicePort: undefined },
      [`error ${FIELD}[0].servicePort: is required (the pool has no servicePort to default to)`],
    ],
    [
      'a bad servicePort',
      [{ clusterName: 'east', service: 'web', servicePort: 70000 }],
      {},
      [`error ${FIELD}[0].servicePort: 70000 is not a port number (1-65535)`],
    ],
    [
      'a bad Service name',
      [{ clusterName: 'east', service: 'Web_App' }],
      {},
      [`error ${FIELD}[0].service: "Web_App" is not a valid Service name`],
    ],
    ['an entry without service (and no default)', [{ clusterName: 'east' }], {}, [`error ${FIELD}[0].service: is required`]],
    [
      'the same Service and port twice in a cluster',
      [
        { clusterName: 'east', service: 'web' },
        { clusterName: 'west', service: 'web' },
        { clusterName: 'east', service: 'web', servicePort: '80', weight: 5 },
      ],
      {},
      [`error ${FIELD}[2]: lists the same Service and port in cluster east as ${FIELD}[0]`],
    ],
    [
      'every weight 0',
      [
        { clusterName: 'east', service: 'web', weight: 0 },
        { clusterName: 'west', service: 'web', weight: 0 },
      ],
      {},
      [`error ${FIELD}: every entry has weight 0, so no request or connection could be served; give at least one entry a weight above 0`],
    ],
  ];
  for (const [what, value, options, problems] of rejected) {
    it(`rejects ${what}`, () => {
      assert.deepEqual(read(value, options), { result: false, problems });
    });
  }

  it('rejects the whole list when one entry is bad, reporting every bad entry', () => {
    const { result, problems } = read([
      { clusterName: 'east', service: 'web' },
      { clusterName: 'north', service: 'web' },
      { clusterName: 'west', service: 'web', weight: 999 },
    ]);
    assert.equal(result, false);
    assert.deepEqual(
      problems.map((p) => p.split(':')[0]),
      [`error ${FIELD}[1].clusterName`, `error ${FIELD}[2].weight`],
    );
  });

  it('allows the same Service in different clusters, namespaces or ports', () => {
    const entries = accepted([
      { clusterName: 'east', service: 'web' },
      { clusterName: 'west', service: 'web' },
      { clusterName: 'east', service: 'web', namespace: 'other' },
      { clusterName: 'east', service: 'web', servicePort: 443 },
    ]);
    assert.equal(entries.length, 4);
  });

  it('clusterNames: the configured clusters, or undefined without a cluster set', () => {
    const config: Config = defaultConfig();
    assert.equal(clusterNames(config), undefined);
    const multi: Config = {
      ...config,
      multiCluster: {
        mode: 'ratio',
        clusters: [
          { name: 'a', ratio: 1, adminState: 'enable', primary: false },
          { name: 'b', ratio: 2, adminState: 'enable', primary: false },
        ],
      },
    };
    assert.deepEqual(clusterNames(multi), ['a', 'b']);
  });
});
