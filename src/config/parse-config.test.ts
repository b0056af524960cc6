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

  it('reads a full SPEC §10 file', () => {
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
  });

  it('lists every error at once, each naming its key', () => {
    const result = parseConfig(`
bigip: {partition: Common, insecure: "yes"}
poolMemberType: calico
nodeLabelSelector: "a b c"
unknownKey: 1
as3: {maxRetries: -1}
`);
    assert.ok(result.errors);
    const text = result.errors.join('\n');
    for (const expected of [
      '/bigip/partition: the Common partition is reserved',
      '/bigip/insecure: must be boolean',
      '/poolMemberType: must be one of "nodeport", "cluster", "nodeportlocal", "auto"',
      '(top level): unknown key "unknownKey"',
      '/as3/maxRetries: must be >= 0',
    ]) assert.ok(text.includes(expected), `missing "${expected}" in:\n${text}`);
  });

  it('checks selectors and cross-key rules after the schema', () => {
    const result = parseConfig(`
nodeLabelSelector: "a b c"
namespaces: [x]
namespaceLabel: "team=a"
multiCluster: {localClusterName: nowhere, clusters: [{name: c1}, {name: c1}]}
`);
    assert.ok(result.errors);
    const text = result.errors.join('\n');
    assert.match(text, /\/nodeLabelSelector: label selector "a b c"/);
    assert.match(text, /\/namespaceLabel: cannot be combined with \/namespaces/);
    assert.match(text, /\/multiCluster\/clusters\/1\/name: cluster "c1" is listed twice/);
    assert.match(text, /\/multiCluster\/localClusterName: "nowhere" is not one of the configured clusters/);
  });

  it('refuses IPAM ranges that do not parse, naming the label and the entry', () => {
    const result = parseConfig('ipam: {ranges: {prod: ["10.1.1.10-10.1.1.60", "10.1.1.300"], mixed: ["10.0.0.0/30", "2001:db8::/126"]}}');
    assert.ok(result.errors);
    assert.match(result.errors.join('\n'), /^\/ipam\/ranges\/prod\/1: "10\.1\.1\.300" is not an address/m);
    assert.match(result.errors.join('\n'), /^\/ipam\/ranges\/mixed\/1: .*one label allocates from one family/m);
  });

  it('ipam.reallocate is off unless set to true, and only takes a boolean', () => {
    assert.equal(parseConfig('ipam: {ranges: {prod: ["10.1.1.10"]}}').config?.ipam.reallocate, false);
    assert.equal(parseConfig('ipam: {ranges: {prod: ["10.1.1.10"]}, reallocate: true}').config?.ipam.reallocate, true);
    assert.match(parseConfig('ipam: {reallocate: "yes please"}').errors?.join('\n') ?? '', /^\/ipam\/reallocate: must be boolean/m);
  });

  it('reports YAML syntax errors and non-mapping documents', () => {
    assert.match(parseConfig('bigip: {partition: [').errors?.[0] ?? '', /not valid YAML/);
    assert.match(parseConfig('- a\n- b').errors?.[0] ?? '', /must be a mapping/);
  });
});
