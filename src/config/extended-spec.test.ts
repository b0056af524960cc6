import assert from 'node:assert/strict';
import type { KubeObject } from '../kube/types.js';
import { importExtendedSpec } from './extended-spec.js';

/** A CIS extended ConfigMap as `kubectl get -o yaml` would give it. */
function configMap(extendedSpec: string, labels: Record<string, string> = { f5nr: 'true' }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'extended-spec', namespace: 'kube-system', labels },
    data: { extendedSpec },
  } as KubeObject;
}

const HA_SPEC = `
mode: active-standby
highAvailabilityCIS:
  primaryEndPoint: http://10.145.72.114:8001
  probeInterval: 30
  retryInterval: 3
  primaryCluster: {clusterName: east, secret: default/east-kubeconfig, ratio: 3}
  secondaryCluster: {clusterName: west, secret: default/west-kubeconfig, adminState: disable}
externalClustersConfig:
  - {clusterName: dr, secret: default/dr-kubeconfig}
`;

describe('importExtendedSpec', () => {
  it('imports a standalone CIS setup: the local cluster first, then the externals in list order', () => {
    const result = importExtendedSpec(
      configMap(`
mode: ratio
localClusterRatio: 4
localClusterAdminState: offline
externalClustersConfig:
  - clusterName: cluster2
    secret: default/kubeconfig2
    ratio: 2
    adminState: no-pool
  - clusterName: cluster3
    secret: kube-system/kubeconfig3
`),
      'cluster1',
    );
    assert.deepEqual(result, {
      multiCluster: {
        mode: 'ratio',
        localClusterName: 'cluster1',
        clusters: [
          { name: 'cluster1', ratio: 4, adminState: 'offline', primary: false },
          { name: 'cluster2', kubeconfigSecret: 'default/kubeconfig2', ratio: 2, adminState: 'no-pool', primary: false },
          { name: 'cluster3', kubeconfigSecret: 'kube-system/kubeconfig3', ratio: 1, adminState: 'enable', primary: false },
        ],
      },
      errors: [],
      warnings: [],
    });
  });

  it('imports an HA pair: primary (primary: true), secondary, externals; the local one keeps no Secret', () => {
    const fromSecondary = importExtendedSpec(configMap(HA_SPEC), 'west');
    assert.deepEqual(fromSecondary.errors, []);
    assert.deepEqual(fromSecondary.multiCluster, {
      mode: 'active-standby',
      localClusterName: 'west',
      clusters: [
        { name: 'east', kubeconfigSecret: 'default/east-kubeconfig', ratio: 3, adminState: 'enable', primary: true },
        { name: 'west', ratio: 1, adminState: 'disable', primary: false },
        { name: 'dr', kubeconfigSecret: 'default/dr-kubeconfig', ratio: 1, adminState: 'enable', primary: false },
      ],
    });
    const fromPrimary = importExtendedSpec(configMap(HA_SPEC), 'east');
    assert.deepEqual(
      fromPrimary.multiCluster?.clusters.map((c) => [c.name, c.kubeconfigSecret, c.primary]),
      [
        ['east', undefined, true],
        ['west', 'default/west-kubeconfig', false],
        ['dr', 'default/dr-kubeconfig', false],
      ],
    );
  });

  it('warns about the HA probe settings, which leader election replaces', () => {
    assert.deepEqual(importExtendedSpec(configMap(HA_SPEC), 'east').warnings, [
      'data.extendedSpec.highAvailabilityCIS.primaryEndPoint: ignored: kube-as3 runs replicas with leader election, not a CIS primary/secondary pair; the leader posts one declaration; nothing to change (the ConfigMap may keep it for CIS)',
      'data.extendedSpec.highAvailabilityCIS.probeInterval: ignored: kube-as3 runs replicas with leader election, not a CIS primary/secondary pair; the leader posts one declaration; nothing to change (the ConfigMap may keep it for CIS)',
      'data.extendedSpec.highAvailabilityCIS.retryInterval: ignored: kube-as3 runs replicas with leader election, not a CIS primary/secondary pair; the leader posts one declaration; nothing to change (the ConfigMap may keep it for CIS)',
    ]);
  });

  it('treats a missing mode as default and names an unnamed lone cluster "local"', () => {
    const result = importExtendedSpec(configMap('localClusterRatio: 2\n'), undefined);
    assert.deepEqual(result.multiCluster, {
      mode: 'default',
      localClusterName: 'local',
      clusters: [{ name: 'local', ratio: 2, adminState: 'enable', primary: false }],
    });
    assert.deepEqual(result.warnings, [
      'data.extendedSpec: the local cluster is named "local" (set multiCluster.localClusterName to name it)',
    ]);
  });

  it('gives the same result for the same input and leaves the input alone', () => {
    const input = configMap(HA_SPEC);
    const copy = structuredClone(input);
    assert.deepEqual(importExtendedSpec(input, 'east'), importExtendedSpec(input, 'east'));
    assert.deepEqual(input, copy);
  });

  const errorCases: Array<{ name: string; spec?: string; configMap?: KubeObject; local?: string; errors: string[] }> = [
    {
      name: 'unknown key in a nested cluster entry',
      spec: 'externalClustersConfig: [{clusterName: c2, secret: a/b, weight: 3}]',
      errors: ['data.extendedSpec.externalClustersConfig[0].weight: unknown field'],
    },
    {
      name: 'unknown key at the top and in highAvailabilityCIS',
      spec: 'modes: ratio\nhighAvailabilityCIS: {primaryCluster: {clusterName: east, secret: a/b}, secondaryCluster: {clusterName: c1}, peer: x}',
      errors: ['data.extendedSpec.modes: unknown field; did you mean mode?', 'data.extendedSpec.highAvailabilityCIS.peer: unknown field'],
    },
    {
      name: 'ratio out of range or not an integer',
      spec: 'localClusterRatio: 1.5\nexternalClustersConfig: [{clusterName: c2, secret: a/b}, {clusterName: c3, secret: a/c, ratio: 101}]',
      errors: [
        'data.extendedSpec.externalClustersConfig[1].ratio: must be an integer from 0 to 100',
        'data.extendedSpec.localClusterRatio: must be an integer from 0 to 100',
      ],
    },
    {
      name: 'ratio given as a string',
      spec: 'externalClustersConfig: [{clusterName: c2, secret: a/b, ratio: "2"}]',
      errors: ['data.extendedSpec.externalClustersConfig[0].ratio: must be an integer from 0 to 100'],
    },
    {
      name: 'bad adminState',
      spec: 'localClusterAdminState: down\nexternalClustersConfig: [{clusterName: c2, secret: a/b, adminState: Enable}]',
      errors: [
        'data.extendedSpec.externalClustersConfig[0].adminState: must be one of "enable", "disable", "offline", "no-pool"',
        'data.extendedSpec.localClusterAdminState: must be one of "enable", "disable", "offline", "no-pool"',
      ],
    },
    {
      name: 'secret not ns/name, or missing',
      spec: 'externalClustersConfig: [{clusterName: c2, secret: kubeconfig2}, {clusterName: c3}]',
      errors: [
        'data.extendedSpec.externalClustersConfig[0].secret: must name a Secret as "namespace/name"',
        'data.extendedSpec.externalClustersConfig[1].secret: is required: the kubeconfig Secret ("namespace/name") kube-as3 reads this cluster through',
      ],
    },
    {
      name: 'clusterName missing or not a DNS label',
      spec: 'externalClustersConfig: [{secret: a/b}, {clusterName: Cluster_2, secret: a/b}]',
      errors: [
        'data.extendedSpec.externalClustersConfig[0].clusterName: is required',
        'data.extendedSpec.externalClustersConfig[1].clusterName: must be a DNS label (lower-case letters, digits and "-", at most 63 characters)',
      ],
    },
    {
      name: 'duplicate external cluster',
      spec: 'externalClustersConfig: [{clusterName: c2, secret: a/b}, {clusterName: c2, secret: a/c}]',
      errors: ['data.extendedSpec.externalClustersConfig[1].clusterName: cluster "c2" is listed twice'],
    },
    {
      name: 'external cluster named like the local cluster',
      spec: 'externalClustersConfig: [{clusterName: c1, secret: a/b}]',
      errors: [
        'data.extendedSpec.externalClustersConfig[0].clusterName: "c1" is the local cluster; an external cluster needs a name of its own',
      ],
    },
    {
      name: 'external cluster named like the HA secondary',
      spec: `${HA_SPEC}  - {clusterName: west, secret: a/b}\n`,
      local: 'east',
      errors: [
        'data.extendedSpec.externalClustersConfig[1].clusterName: "west" is the HA secondaryCluster; an external cluster needs a name of its own',
      ],
    },
    {
      name: 'local cluster not in the HA pair',
      spec: HA_SPEC,
      local: 'north',
      errors: [
        'data.extendedSpec.highAvailabilityCIS: the local cluster\'s name (kube-as3 config multiCluster.localClusterName, "north") must be the primaryCluster\'s ("east") or the secondaryCluster\'s ("west")',
      ],
    },
    {
      name: 'HA without a secondary',
      spec: 'highAvailabilityCIS: {primaryCluster: {clusterName: c1}}',
      errors: ['data.extendedSpec.highAvailabilityCIS.secondaryCluster: is required'],
    },
    {
      name: 'HA halves with one name',
      spec: 'highAvailabilityCIS: {primaryCluster: {clusterName: c1}, secondaryCluster: {clusterName: c1, secret: a/b}}',
      errors: ['data.extendedSpec.highAvailabilityCIS.secondaryCluster.clusterName: "c1" is the primaryCluster\'s name too'],
    },
    {
      name: 'HA peer without a Secret',
      spec: 'highAvailabilityCIS: {primaryCluster: {clusterName: c1}, secondaryCluster: {clusterName: c2}}',
      errors: [
        'data.extendedSpec.highAvailabilityCIS.secondaryCluster.secret: is required: the kubeconfig Secret ("namespace/name") kube-as3 reads this cluster through',
      ],
    },
    {
      name: 'externals but no local cluster name',
      spec: 'externalClustersConfig: [{clusterName: c2, secret: a/b}]',
      local: undefined,
      errors: [
        'data.extendedSpec.externalClustersConfig: localClusterName is needed (kube-as3 config multiCluster.localClusterName) to tell the local cluster from the external ones',
      ],
    },
    {
      name: 'bad mode',
      spec: 'mode: standby',
      errors: ['data.extendedSpec.mode: must be one of "default", "active-active", "active-standby", "ratio"'],
    },
    {
      name: 'wrong shapes',
      spec: 'externalClustersConfig: {clusterName: c2}\nextendedRouteSpec: {namespace: a}\nhighAvailabilityCIS: {primaryCluster: {clusterName: c1}, secondaryCluster: {clusterName: c3, secret: a/b}, probeInterval: soon}',
      errors: [
        'data.extendedSpec.extendedRouteSpec: must be a list',
        'data.extendedSpec.externalClustersConfig: must be a list',
        'data.extendedSpec.highAvailabilityCIS.probeInterval: must be an integer',
      ],
    },
    {
      name: 'a spec that is not a mapping',
      spec: '- mode: ratio',
      errors: ['data.extendedSpec: must be a mapping of keys to values'],
    },
    {
      name: 'missing extendedSpec',
      configMap: { kind: 'ConfigMap', metadata: { labels: { f5nr: 'true' } }, data: { spec: 'mode: ratio' } } as KubeObject,
      errors: ['data.extendedSpec: is required: the CIS extended spec (YAML) under key "extendedSpec"'],
    },
    {
      name: 'not a ConfigMap',
      configMap: { kind: 'Secret', metadata: { labels: { f5nr: 'true' } }, data: { extendedSpec: 'mode: ratio' } } as KubeObject,
      errors: ['kind: must be ConfigMap, not "Secret"'],
    },
  ];

  for (const c of errorCases) {
    it(`rejects ${c.name}`, () => {
      const local = 'local' in c ? c.local : 'c1';
      const result = importExtendedSpec(c.configMap ?? configMap(c.spec ?? ''), local);
      assert.equal(result.multiCluster, undefined);
      assert.deepEqual(result.errors, c.errors);
    });
  }

  it("rejects YAML that does not parse, quoting the parser's first line", () => {
    const result = importExtendedSpec(configMap('mode: ratio\nexternalClustersConfig: [{clusterName: c2'), 'c1');
    assert.equal(result.multiCluster, undefined);
    assert.equal(result.errors.length, 1);
    assert.match(result.errors[0] ?? '', /^data\.extendedSpec: not valid YAML: \S.*$/);
  });

  it("rejects a key given twice, as CIS's strict YAML does", () => {
    const result = importExtendedSpec(configMap('mode: ratio\nmode: default'), 'c1');
    assert.match(result.errors[0] ?? '', /^data\.extendedSpec: not valid YAML: /);
  });

  const warningCases: Array<{ name: string; configMap: KubeObject; local: string; warnings: string[] }> = [
    {
      name: 'serviceTypeLBDiscovery, as kube-as3 reads LoadBalancer Services from every cluster',
      configMap: configMap('externalClustersConfig: [{clusterName: c2, secret: a/b, serviceTypeLBDiscovery: false}]'),
      local: 'c1',
      warnings: [
        'data.extendedSpec.externalClustersConfig[0].serviceTypeLBDiscovery: ignored: kube-as3 reads LoadBalancer Services from every cluster; nothing to change (the ConfigMap may keep it for CIS)',
      ],
    },
    {
      name: 'OpenShift route keys',
      configMap: configMap('extendedRouteSpec: [{namespace: a, vserverAddr: 10.8.0.4}]\nbaseRouteSpec: {tlsCipher: {tlsVersion: "1.2"}}'),
      local: 'c1',
      warnings: [
        'data.extendedSpec.extendedRouteSpec: ignored: kube-as3 does not read OpenShift Routes; nothing to change (the ConfigMap may keep it for CIS)',
        'data.extendedSpec.baseRouteSpec: ignored: kube-as3 does not read OpenShift Routes; nothing to change (the ConfigMap may keep it for CIS)',
      ],
    },
    {
      name: 'local cluster settings next to an HA pair',
      configMap: configMap(
        'localClusterRatio: 2\nhighAvailabilityCIS: {primaryCluster: {clusterName: c1}, secondaryCluster: {clusterName: c2, secret: a/b}}',
      ),
      local: 'c1',
      warnings: [
        "data.extendedSpec.localClusterRatio: ignored: with highAvailabilityCIS the local cluster's ratio and adminState come from its primaryCluster or secondaryCluster entry (as in CIS); set them there",
      ],
    },
    {
      name: 'a ConfigMap without the f5nr label',
      configMap: configMap('mode: active-active', { app: 'cis' }),
      local: 'c1',
      warnings: ['metadata.labels.f5nr: not "true": CIS would not read this ConfigMap (kube-as3 reads it by name)'],
    },
  ];

  for (const c of warningCases) {
    it(`imports but warns about ${c.name}`, () => {
      const result = importExtendedSpec(c.configMap, c.local);
      assert.deepEqual(result.errors, []);
      assert.ok(result.multiCluster);
      assert.deepEqual(result.warnings, c.warnings);
    });
  }
});
