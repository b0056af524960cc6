import assert from 'node:assert/strict';
import { defaultConfig, parseConfig } from './parse-config.js';

describe('parseConfig', () => {
  it('fills every default from the schema', () => {
    const config = defaultConfig();
    assert.equal(config.bigip.partition, 'kubernetes');
    assert.equal(config.poolMemberType, 'nodeport');
    assert.equal(config.customResourceLabel, 'f5cr in (true)');
    assert.equal(config.useNodeInternal, true);
    assert.equal(config.as3.schemaVersion, '3.56.0');
    assert.equal(config.as3.instance, 'default');
    assert.deepEqual(config.namespaces, []);
  });

  it('reads a full docs/config.md file', () => {
    const result = parseConfig(`
bigip: {url: "https://10.0.0.245", partition: k8s, insecure: true, credentialsDir: /etc/bigip}
poolMemberType: cluster
nodeLabelSelector: "pool=edge"
useNodeInternal: false
namespaces: [a, b]
customResourceLabel: "f5cr=true"
ingressClass: f5
multiCluster:
  mode: ratio
  localClusterName: east
  clusters: [{name: east, kubeconfigFile: /k/east, ratio: 3}, {name: west, kubeconfigSecret: kube-system/west, adminState: disable}]
ipam: {ranges: {prod: ["10.1.1.10-10.1.1.60", "10.2.0.0/28"]}}
as3: {postDelayMs: 500, maxRetries: 3, asyncThresholdMs: 10000, schemaVersion: "3.50.0"}
`);
    assert.ok(result.config, JSON.stringify(result.errors));
    assert.equal(result.config.multiCluster?.clusters[1]?.ratio, 1);
    assert.equal(result.config.multiCluster?.clusters[1]?.adminState, 'disable');
    assert.equal(result.config.as3.schemaVersion, '3.50.0');
    assert.deepEqual(result.warnings, [
      'as3.asyncThresholdMs: has no effect: every change is posted asynchronously and followed until AS3 has finished it; remove it',
    ]);
  });

  it('warns about no key of a file that leaves asyncThresholdMs out (its default is no setting of the user)', () => {
    const result = parseConfig('as3: {maxRetries: 3}\n');
    assert.deepEqual(result.warnings, []);
  });

  it("lists every error at once, the schema's and the later checks', each as `dotted.path: sentence`", () => {
    const result = parseConfig(`
bigip: {url: "ftp://bigip", partition: Common, insecure: "yes"}
poolMemberType: calico
nodeLabelSelector: "a b c"
unknownKey: 1
as3: {maxRetries: -1, postDelayMS: 5}
multiCluster: {clusters: [{nme: east}, {name: west, ratio: 101}]}
ipam: {ranges: {prod: ["10.1.1.300"]}}
`);
    assert.deepEqual(result.errors, [
      'unknownKey: unknown field',
      'bigip.url: must be https://host[:port] (http:// only for labs)',
      'bigip.partition: the Common partition is reserved for the BIG-IP system and cannot be managed',
      'bigip.insecure: must be true or false',
      'poolMemberType: must be one of "nodeport", "cluster", "nodeportlocal", "auto"',
      'multiCluster.clusters[0].name: is required (multiCluster.clusters[0].nme is set instead: a misspelling of name?)',
      'multiCluster.clusters[0].nme: unknown field; did you mean name?',
      'multiCluster.clusters[1].ratio: must be at most 100',
      'as3.postDelayMS: unknown field; did you mean postDelayMs?',
      'as3.maxRetries: must be at least 0',
      'nodeLabelSelector: label selector "a b c": cannot parse "a b c"',
      'ipam.ranges.prod[0]: "10.1.1.300" is not an address, a range (first-last) or a subnet (address/prefix)',
    ]);
  });

  it('checks selectors and cross-key rules', () => {
    const result = parseConfig(`
nodeLabelSelector: "a b c"
namespaces: [x]
namespaceLabel: "team=a"
multiCluster: {localClusterName: nowhere, clusters: [{name: c1}, {name: c1}]}
`);
    assert.deepEqual(result.errors, [
      'nodeLabelSelector: label selector "a b c": cannot parse "a b c"',
      'namespaceLabel: cannot be combined with namespaces; choose one way to select namespaces',
      'multiCluster.clusters[1].name: cluster "c1" is listed twice',
      'multiCluster.localClusterName: "nowhere" is not one of the configured clusters',
    ]);
  });

  it('says nothing more about a key the schema already refused', () => {
    assert.deepEqual(parseConfig('ipam: {ranges: {prod: []}}').errors, ['ipam.ranges.prod: must list at least one entry']);
  });

  it('refuses IPAM ranges that do not parse, naming the label and the entry', () => {
    const result = parseConfig('ipam: {ranges: {prod: ["10.1.1.10-10.1.1.60", "10.1.1.300"], mixed: ["10.0.0.0/30", "2001:db8::/126"]}}');
    assert.ok(result.errors);
    assert.match(result.errors.join('\n'), /^ipam\.ranges\.prod\[1\]: "10\.1\.1\.300" is not an address/m);
    assert.match(result.errors.join('\n'), /^ipam\.ranges\.mixed\[1\]: .*one label allocates from one family/m);
  });

  it('ipam.reallocate is off unless set to true, and only takes a boolean', () => {
    assert.equal(parseConfig('ipam: {ranges: {prod: ["10.1.1.10"]}}').config?.ipam.reallocate, false);
    assert.equal(parseConfig('ipam: {ranges: {prod: ["10.1.1.10"]}, reallocate: true}').config?.ipam.reallocate, true);
    assert.match(parseConfig('ipam: {reallocate: "yes please"}').errors?.join('\n') ?? '', /^ipam\.reallocate: must be true or false$/m);
  });

  it('reports YAML syntax errors and non-mapping documents', () => {
    assert.match(parseConfig('bigip: {partition: [').errors?.[0] ?? '', /not valid YAML/);
    assert.match(parseConfig('- a\n- b').errors?.[0] ?? '', /must be a mapping/);
  });
});
