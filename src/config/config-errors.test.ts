import assert from 'node:assert/strict';
import { dottedPath } from './config-errors.js';
import { configSchema } from './config-schema.js';
import { validateConfig } from './parse-config.js';

describe('config errors: dotted paths and plain sentences', () => {
  const paths: Array<[string, unknown, string]> = [
    ['', {}, ''],
    ['/bigip/url', { bigip: { url: 1 } }, 'bigip.url'],
    ['/multiCluster/clusters/0/name', { multiCluster: { clusters: [{}] } }, 'multiCluster.clusters[0].name'],
    ['/ipam/ranges/0/1', { ipam: { ranges: { 0: ['a', 'b'] } } }, 'ipam.ranges.0[1]'],
    ['/a~1b/c~0d', { 'a/b': { 'c~d': 1 } }, 'a/b.c~d'],
  ];
  for (const [pointer, data, expected] of paths) {
    it(`${pointer || '(root)'} → ${expected || '(empty)'}`, () => assert.equal(dottedPath(pointer, data), expected));
  }

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['text expected', { nodeLabelSelector: 5 }, 'nodeLabelSelector: must be text'],
    ['a whole number', { as3: { postDelayMs: 1.5 } }, 'as3.postDelayMs: must be a whole number'],
    ['true or false', { useNodeInternal: 'no' }, 'useNodeInternal: must be true or false'],
    ['a list', { namespaces: 'a' }, 'namespaces: must be a list'],
    ['a mapping', { bigip: 'x' }, 'bigip: must be a mapping of keys to values'],
    [
      'one of',
      { multiCluster: { mode: 'both', clusters: [{ name: 'a' }] } },
      'multiCluster.mode: must be one of "default", "active-active", "active-standby", "ratio"',
    ],
    ['at least', { multiCluster: { clusters: [{ name: 'a', ratio: -1 }] } }, 'multiCluster.clusters[0].ratio: must be at least 0'],
    ['not empty', { ingressClass: '' }, 'ingressClass: must not be empty'],
    ['a list without repeats', { namespaces: ['a', 'a'] }, 'namespaces: lists the same value twice (entries 0 and 1)'],
    ['a URL, described', { bigip: { url: 'bigip.example.net' } }, 'bigip.url: must be https://host[:port] (http:// only for labs)'],
    [
      'a partition name, described',
      { bigip: { partition: '1st' } },
      'bigip.partition: must be a BIG-IP partition name: a letter, then at most 63 letters, digits, "_", "." or "-"',
    ],
    [
      'a cluster name, described',
      { multiCluster: { clusters: [{ name: 'East' }] } },
      'multiCluster.clusters[0].name: must be a DNS label: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit',
    ],
    [
      'a Secret reference, described',
      { multiCluster: { clusters: [{ name: 'a', kubeconfigSecret: 'secret' }] } },
      'multiCluster.clusters[0].kubeconfigSecret: must be "namespace/name" (lower-case letters, digits, "-" and ".")',
    ],
    ['an AS3 version, described', { as3: { schemaVersion: 'latest' } }, 'as3.schemaVersion: must be an AS3 schema version such as 3.56.0'],
    [
      'an unknown key deep down, with its fix',
      { multiCluster: { clusters: [{ name: 'a', kubeconfigFiel: '/k' }] } },
      'multiCluster.clusters[0].kubeconfigFiel: unknown field; did you mean kubeconfigFile?',
    ],
    ['an unknown top-level key, with its fix', { poolMemberTyp: 'cluster' }, 'poolMemberTyp: unknown field; did you mean poolMemberType?'],
    [
      'a default Ingress address that is not one',
      { defaultIngressAddress: 'lb.example.com' },
      'defaultIngressAddress: "lb.example.com" is not an IPv4 or IPv6 address',
    ],
    [
      'a default Ingress IPAM label without ranges',
      { defaultIngressIpamLabel: 'prod' },
      'defaultIngressIpamLabel: "prod" is not a label of ipam.ranges (no ranges are configured)',
    ],
    [
      'a default Ingress IPAM label not among the ranges',
      { defaultIngressIpamLabel: 'prod', ipam: { ranges: { dev: ['10.0.0.1-10.0.0.9'] } } },
      'defaultIngressIpamLabel: "prod" is not a label of ipam.ranges (dev)',
    ],
    [
      'both defaults for Ingresses without an address',
      { defaultIngressAddress: '10.1.1.1', defaultIngressIpamLabel: 'dev', ipam: { ranges: { dev: ['10.0.0.1-10.0.0.9'] } } },
      'defaultIngressIpamLabel: cannot be combined with defaultIngressAddress; choose one address for all such Ingresses, or one per Ingress from IPAM',
    ],
  ];
  for (const [what, document, expected] of cases) {
    it(what, () => assert.deepEqual(validateConfig(document).errors, [expected]));
  }

  /** Every `pattern` in the schema, with its path. */
  function patterns(
    schema: unknown,
    path: string,
    out: Array<[string, Record<string, unknown>]>,
  ): Array<[string, Record<string, unknown>]> {
    if (typeof schema !== 'object' || schema === null) return out;
    const node = schema as Record<string, unknown>;
    if (typeof node['pattern'] === 'string') out.push([path, node]);
    for (const [key, child] of Object.entries(node)) patterns(child, `${path}/${key}`, out);
    return out;
  }

  it('describes every pattern of the config schema in words (a new pattern needs its patternText)', () => {
    const found = patterns(configSchema, '', []);
    assert.ok(found.length >= 6, `only ${found.length} patterns found`);
    for (const [path, node] of found) assert.equal(typeof node['patternText'], 'string', `${path} has no patternText`);
  });

  it('never shows a regular expression, whatever the value', () => {
    const bad = '#!bad value!#';
    const errors =
      validateConfig({
        bigip: { url: bad, partition: bad },
        as3: { schemaVersion: bad, instance: bad },
        multiCluster: { extendedSpecConfigMap: bad, clusters: [{ name: bad, kubeconfigSecret: bad }] },
      }).errors ?? [];
    const described = errors.filter((line) => line.includes(': must be '));
    assert.equal(described.length, 7, errors.join('\n'));
    for (const line of errors) assert.doesNotMatch(line, /\^|\$|\[a-z|\{0,|pattern/, line);
  });
});
