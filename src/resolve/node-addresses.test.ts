import assert from 'node:assert/strict';
import { mustParseLabelSelector } from '../kube/label-selector.js';
import type { Node } from '../kube/types.js';
import { nodeAddresses, onePerNode } from './node-addresses.js';

function node(name: string, addresses: Array<[string, string]>, extra: Partial<Node> = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: { addresses: addresses.map(([type, address]) => ({ type, address })), conditions: [{ type: 'Ready', status: 'True' }] },
    ...extra,
  };
}

const all = { selector: mustParseLabelSelector(''), useNodeInternal: true, includeUnschedulable: true };

describe('node addresses', () => {
  const nodes = [
    node('ds-1', [
      ['InternalIP', '10.0.0.1'],
      ['InternalIP', 'fd00::1'],
    ]),
    node('ds-2', [
      ['InternalIP', 'fd00::2'],
      ['InternalIP', '10.0.0.2'],
      ['ExternalIP', '203.0.113.2'],
    ]),
    node('v4-only', [['InternalIP', '10.0.0.3']]),
    node('v6-only', [['InternalIP', 'fd00::4']]),
  ];

  const cases: Array<[4 | 6, string[]]> = [
    [4, ['10.0.0.1', '10.0.0.2', '10.0.0.3', 'fd00::4']],
    [6, ['10.0.0.3', 'fd00::1', 'fd00::2', 'fd00::4']],
  ];
  for (const [family, expected] of cases) {
    it(`gives one address per node for an IPv${family} virtual, of that family where the node has one`, () => {
      assert.deepEqual(
        onePerNode(nodeAddresses(nodes, all), family).map((a) => a.address),
        expected,
      );
    });
  }

  it('uses ExternalIP when useNodeInternal is false, skipping nodes without one', () => {
    assert.deepEqual(
      nodeAddresses(nodes, { ...all, useNodeInternal: false }).map((a) => `${a.node}=${a.address}`),
      ['ds-2=203.0.113.2'],
    );
  });

  it('leaves out NotReady nodes, and cordoned ones only when asked to', () => {
    const notReady = {
      ...node('down', [['InternalIP', '10.0.0.9']]),
      status: { addresses: [{ type: 'InternalIP', address: '10.0.0.9' }], conditions: [{ type: 'Ready', status: 'Unknown' }] },
    };
    const cordoned = node('cordoned', [['InternalIP', '10.0.0.8']], { spec: { unschedulable: true } });
    assert.deepEqual(
      nodeAddresses([notReady, cordoned], all).map((a) => a.node),
      ['cordoned'],
    );
    assert.deepEqual(nodeAddresses([notReady, cordoned], { ...all, includeUnschedulable: false }), []);
  });
});
