import { describe, it } from 'mocha';
import assert from 'node:assert/strict';
import type { ObjectRef } from '../kube/refs.js';
import { diagnostic } from '../kube/diagnostic.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import { desiredStatuses } from './resource-status.js';
import type { ResourceStatus, ServedResource, StatusInput } from './resource-status.js';

const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-01-01T00:05:00.000Z';
const T2 = '2025-01-01T00:10:00.000Z';

const vs: ObjectRef = { kind: 'VirtualServer', namespace: 'shop', name: 'cafe' };
const ts: ObjectRef = { kind: 'TransportServer', namespace: 'shop', name: 'db' };
const svc: ObjectRef = { kind: 'Service', namespace: 'shop', name: 'lb' };
const ing: ObjectRef = { kind: 'Ingress', namespace: 'shop', name: 'web' };

function input(over: Partial<StatusInput>): StatusInput {
  return { resources: [], problems: [], applyProblems: [], now: T0, ...over };
}

function only(statuses: ResourceStatus[]): Record<string, unknown> {
  assert.equal(statuses.length, 1, JSON.stringify(statuses));
  return (statuses[0] as ResourceStatus).status;
}

function ready(status: Record<string, unknown>): Record<string, unknown> {
  const conditions = status['conditions'] as Array<Record<string, unknown>>;
  const found = conditions.find((c) => c['type'] === 'Ready');
  assert.ok(found, 'no Ready condition');
  return found;
}

describe('desiredStatuses: VirtualServer/TransportServer', () => {
  const cases: Array<{
    name: string;
    resources: ServedResource[];
    problems?: Diagnostic[];
    applyProblems?: StatusInput['applyProblems'];
    pending?: boolean;
    want: { vsAddress: string; status: string; error?: string; ready: string; reason: string; message?: RegExp };
  }> = [
    {
      name: 'applied without problems: Ok, Ready True, no error field',
      resources: [{ ref: vs, addresses: ['10.1.1.10'] }],
      want: { vsAddress: '10.1.1.10', status: 'Ok', ready: 'True', reason: 'Applied' },
    },
    {
      name: 'an error diagnostic: Error with the field and message',
      resources: [{ ref: vs, addresses: ['10.1.1.10'] }],
      problems: [diagnostic(vs, 'error', 'TLSProfile shop/missing not found', 'spec.tlsProfileName')],
      want: {
        vsAddress: '10.1.1.10',
        status: 'Error',
        error: 'spec.tlsProfileName: TLSProfile shop/missing not found',
        ready: 'False',
        reason: 'InvalidSpec',
      },
    },
    {
      name: 'several errors are all listed, in field order',
      resources: [{ ref: ts, addresses: ['10.1.1.20'] }],
      problems: [
        diagnostic(ts, 'error', 'must be 1-65535', 'spec.virtualServerPort'),
        diagnostic(ts, 'error', 'unknown mode', 'spec.mode'),
      ],
      want: {
        vsAddress: '10.1.1.20',
        status: 'Error',
        error: 'spec.mode: unknown mode; spec.virtualServerPort: must be 1-65535',
        ready: 'False',
        reason: 'InvalidSpec',
      },
    },
    {
      name: 'the BIG-IP refused its application: Error with AS3 message',
      resources: [{ ref: vs, addresses: ['10.1.1.10'] }],
      applyProblems: [{ sources: [vs, ts], message: 'declaration failed: /shop/cafe/pool: invalid' }],
      want: {
        vsAddress: '10.1.1.10',
        status: 'Error',
        error: 'declaration failed: /shop/cafe/pool: invalid',
        ready: 'False',
        reason: 'ApplyFailed',
      },
    },
    {
      name: 'not yet confirmed by the BIG-IP: Pending, Ready Unknown',
      resources: [{ ref: vs, addresses: ['10.1.1.10'] }],
      pending: true,
      want: { vsAddress: '10.1.1.10', status: 'Pending', ready: 'Unknown', reason: 'Pending' },
    },
    {
      name: 'an error beats pending',
      resources: [{ ref: vs, addresses: [] }],
      problems: [diagnostic(vs, 'error', 'no range for label Prod', 'spec.ipamLabel')],
      pending: true,
      want: { vsAddress: 'None', status: 'Error', error: 'spec.ipamLabel: no range for label Prod', ready: 'False', reason: 'InvalidSpec' },
    },
    {
      name: 'warnings only: Ok, and the warning is in the Ready message',
      resources: [{ ref: vs, addresses: ['10.1.1.10'] }],
      problems: [diagnostic(vs, 'warning', 'Service shop/tea not found; the pool is empty', 'spec.pools[0].service')],
      want: {
        vsAddress: '10.1.1.10',
        status: 'Ok',
        ready: 'True',
        reason: 'AppliedWithWarnings',
        message: /spec\.pools\[0\]\.service: Service shop\/tea not found/,
      },
    },
    {
      name: 'an address allocated by IPAM is the vsAddress like a spec address',
      resources: [{ ref: ts, addresses: ['10.8.0.3'] }],
      want: { vsAddress: '10.8.0.3', status: 'Ok', ready: 'True', reason: 'Applied' },
    },
    {
      name: 'no address: vsAddress None (the CRD default, so the API server does not differ from us)',
      resources: [{ ref: ts, addresses: [] }],
      want: { vsAddress: 'None', status: 'Ok', ready: 'True', reason: 'Applied' },
    },
    {
      name: 'several addresses, duplicates once',
      resources: [{ ref: vs, addresses: ['10.1.1.10', '2001:db8::10', '10.1.1.10'] }],
      want: { vsAddress: '10.1.1.10,2001:db8::10', status: 'Ok', ready: 'True', reason: 'Applied' },
    },
    {
      name: 'problems of another resource do not touch this one',
      resources: [{ ref: vs, addresses: ['10.1.1.10'] }],
      problems: [diagnostic({ ...vs, name: 'other' }, 'warning', 'meh'), diagnostic({ ...vs, kind: 'TransportServer' }, 'warning', 'bad')],
      applyProblems: [{ sources: [{ ...vs, namespace: 'other' }], message: 'refused' }],
      want: { vsAddress: '10.1.1.10', status: 'Ok', ready: 'True', reason: 'Applied' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const statuses = desiredStatuses(
        input({ resources: c.resources, problems: c.problems ?? [], applyProblems: c.applyProblems ?? [], pending: c.pending }),
      );
      const status = only(statuses);
      assert.equal(status['vsAddress'], c.want.vsAddress);
      assert.equal(status['status'], c.want.status);
      assert.equal(status['error'], c.want.error);
      assert.equal(Object.hasOwn(status, 'error'), c.want.error !== undefined);
      assert.equal(status['lastUpdated'], T0);
      const condition = ready(status);
      assert.equal(condition['status'], c.want.ready);
      assert.equal(condition['reason'], c.want.reason);
      assert.equal(condition['lastTransitionTime'], T0);
      if (c.want.error !== undefined) assert.equal(condition['message'], c.want.error);
      if (c.want.message) assert.match(String(condition['message']), c.want.message);
    });
  }

  it('writes exactly the CRD fields, with observedGeneration when the generation is known', () => {
    const status = only(desiredStatuses(input({ resources: [{ ref: vs, addresses: ['10.1.1.10'], generation: 7 }] })));
    assert.deepEqual(status, {
      vsAddress: '10.1.1.10',
      status: 'Ok',
      lastUpdated: T0,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Applied',
          message: 'Applied to the BIG-IP',
          lastTransitionTime: T0,
          observedGeneration: 7,
        },
      ],
    });
  });

  it('a rejected resource missing from `resources` still gets an Error status; one with only warnings does not', () => {
    const rejected: ObjectRef = { kind: 'VirtualServer', namespace: 'shop', name: 'broken' };
    const warned: ObjectRef = { kind: 'TransportServer', namespace: 'shop', name: 'warned' };
    const statuses = desiredStatuses(
      input({
        problems: [
          diagnostic(rejected, 'error', 'Common is reserved', 'spec.partition'),
          diagnostic(warned, 'warning', 'something odd'),
          diagnostic({ kind: 'TLSProfile', namespace: 'shop', name: 'tls' }, 'error', 'Secret has no tls.key'),
          diagnostic({ kind: 'File', namespace: '', name: 'in.yaml' }, 'error', 'invalid YAML'),
        ],
      }),
    );
    assert.deepEqual(
      statuses.map((s) => s.ref),
      [rejected],
    );
    const status = only(statuses);
    assert.equal(status['status'], 'Error');
    assert.equal(status['vsAddress'], 'None');
    assert.equal(status['error'], 'spec.partition: Common is reserved');
  });

  it('truncates a huge AS3 message to what the CRD accepts for a condition message', () => {
    const status = only(
      desiredStatuses(input({ resources: [{ ref: vs, addresses: [] }], applyProblems: [{ sources: [vs], message: 'x'.repeat(40000) }] })),
    );
    assert.equal(String(ready(status)['message']).length, 32768);
  });
});

describe('desiredStatuses: keeping timestamps of what did not change', () => {
  const resources: ServedResource[] = [{ ref: vs, addresses: ['10.1.1.10'] }];

  it('an unchanged status is identical to the previous one (the writer skips it)', () => {
    const first = only(desiredStatuses(input({ resources, now: T0 })));
    const again = only(desiredStatuses(input({ resources, now: T1, previous: () => first })));
    assert.deepEqual(again, first);
    assert.equal(JSON.stringify(again), JSON.stringify(first));
  });

  it('a changed message with the same Ready status moves lastUpdated but keeps lastTransitionTime', () => {
    const first = only(desiredStatuses(input({ resources, problems: [diagnostic(vs, 'error', 'one')], now: T0 })));
    const second = only(desiredStatuses(input({ resources, problems: [diagnostic(vs, 'error', 'two')], now: T1, previous: () => first })));
    assert.equal(second['error'], 'two');
    assert.equal(second['lastUpdated'], T1);
    assert.equal(ready(second)['lastTransitionTime'], T0);
  });

  it('a flip of Ready moves both, and the next unchanged round keeps them', () => {
    const pending = only(desiredStatuses(input({ resources, pending: true, now: T0 })));
    const ok = only(desiredStatuses(input({ resources, now: T1, previous: () => pending })));
    assert.equal(ok['lastUpdated'], T1);
    assert.equal(ready(ok)['lastTransitionTime'], T1);
    const still = only(desiredStatuses(input({ resources, now: T2, previous: () => ok })));
    assert.deepEqual(still, ok);
  });

  it('an address change alone is a change', () => {
    const first = only(desiredStatuses(input({ resources, now: T0 })));
    const moved = only(desiredStatuses(input({ resources: [{ ref: vs, addresses: ['10.1.1.11'] }], now: T1, previous: () => first })));
    assert.equal(moved['vsAddress'], '10.1.1.11');
    assert.equal(moved['lastUpdated'], T1);
    assert.equal(ready(moved)['lastTransitionTime'], T0);
  });

  it('a status written by CIS (no conditions) is taken over', () => {
    const cis = { vsAddress: '10.1.1.10', status: 'OK', lastUpdated: '2024-06-01T00:00:00Z' };
    const status = only(desiredStatuses(input({ resources, now: T1, previous: () => cis })));
    assert.equal(status['status'], 'Ok');
    assert.equal(status['lastUpdated'], T1);
    assert.equal(ready(status)['lastTransitionTime'], T1);
  });

  it('conditions other controllers set are kept', () => {
    const foreign = { type: 'Synced', status: 'True', reason: 'Synced', message: 'by argo', lastTransitionTime: '2024-01-01T00:00:00Z' };
    const first = only(desiredStatuses(input({ resources, now: T0 })));
    const previous = { ...first, conditions: [foreign, ...(first['conditions'] as unknown[])] };
    const next = only(desiredStatuses(input({ resources, now: T1, previous: () => previous })));
    assert.deepEqual(next, previous);
  });
});

describe('desiredStatuses: LoadBalancer Service and Ingress', () => {
  const cases: Array<{ name: string; resource: ServedResource; want: Record<string, unknown> | undefined }> = [
    {
      name: 'Service with an IPAM address',
      resource: { ref: svc, addresses: ['10.8.0.4'] },
      want: { loadBalancer: { ingress: [{ ip: '10.8.0.4' }] } },
    },
    {
      name: 'Ingress with two addresses',
      resource: { ref: ing, addresses: ['10.1.1.30', '2001:db8::30'] },
      want: { loadBalancer: { ingress: [{ ip: '10.1.1.30' }, { ip: '2001:db8::30' }] } },
    },
    { name: 'Service without an address: nothing to write', resource: { ref: svc, addresses: [] }, want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const statuses = desiredStatuses(
        input({ resources: [c.resource], problems: [diagnostic(c.resource.ref, 'warning', 'warnings go to the log')] }),
      );
      assert.deepEqual(statuses, c.want === undefined ? [] : [{ ref: c.resource.ref, status: c.want }]);
    });
  }

  it('an Ingress with only errors gets no status (errors become Events)', () => {
    assert.deepEqual(desiredStatuses(input({ problems: [diagnostic(ing, 'error', 'y')] })), []);
  });

  it("a refused LoadBalancer Service gets the condition kube-as3.dev/Ready=False (naming the kept version), beside other controllers' conditions; removed once fixed", () => {
    const theirs = {
      type: 'LoadBalancerPortsError',
      status: 'False',
      reason: 'Ok',
      message: '',
      lastTransitionTime: '2024-01-01T00:00:00Z',
    };
    const refused = desiredStatuses(
      input({
        resources: [{ ref: svc, addresses: ['10.8.0.4'] }],
        problems: [diagnostic(svc, 'error', 'bad port', 'spec.ports[0]')],
        kept: new Map([['Service/shop/lb', { version: 'sha256:0123456789ab', addresses: ['10.8.0.4'] }]]),
        previous: () => ({ conditions: [theirs] }),
      }),
    );
    assert.deepEqual(refused, [
      {
        ref: svc,
        status: {
          loadBalancer: { ingress: [{ ip: '10.8.0.4' }] },
          conditions: [
            theirs,
            {
              type: 'kube-as3.dev/Ready',
              status: 'False',
              reason: 'InvalidSpec',
              message: 'spec.ports[0]: bad port; the BIG-IP keeps the last good version (sha256:0123456789ab)',
              lastTransitionTime: T0,
            },
          ],
        },
      },
    ]);
    const previous = refused[0]?.status;
    const fixed = desiredStatuses(input({ resources: [{ ref: svc, addresses: ['10.8.0.4'] }], previous: () => previous }));
    assert.deepEqual(fixed, [{ ref: svc, status: { loadBalancer: { ingress: [{ ip: '10.8.0.4' }] }, conditions: [theirs] } }]);
  });
});

describe('desiredStatuses: clusters and order', () => {
  it('is ordered by cluster, kind, namespace and name whatever the input order', () => {
    const refs: ObjectRef[] = [{ ...vs, cluster: 'b' }, { ...svc, name: 'z' }, ts, { ...vs, name: 'a' }, svc, { ...vs, cluster: 'a' }, ing];
    const resources = refs.map((ref) => ({ ref, addresses: ['10.0.0.1'] }));
    const forward = desiredStatuses(input({ resources }));
    const backward = desiredStatuses(input({ resources: [...resources].reverse() }));
    assert.deepEqual(backward, forward);
    assert.deepEqual(
      forward.map((s) => `${s.ref.cluster ?? ''}|${s.ref.kind}|${s.ref.name}`),
      [
        '|Ingress|web',
        '|Service|lb',
        '|Service|z',
        '|TransportServer|db',
        '|VirtualServer|a',
        'a|VirtualServer|cafe',
        'b|VirtualServer|cafe',
      ],
    );
  });

  it('a cluster-less problem concerns every copy; a cluster-tagged one only its own', () => {
    const inA: ObjectRef = { ...vs, cluster: 'a' };
    const inB: ObjectRef = { ...vs, cluster: 'b' };
    const statuses = desiredStatuses(
      input({
        resources: [
          { ref: inA, addresses: ['10.1.1.10'] },
          { ref: inB, addresses: ['10.1.1.10'] },
        ],
        problems: [diagnostic(inB, 'error', 'differs from the copy in cluster a'), diagnostic(vs, 'warning', 'empty pool')],
        applyProblems: [],
      }),
    );
    const [a, b] = statuses.map((s) => s.status);
    assert.equal(a?.['status'], 'Ok');
    assert.match(String(ready(a as Record<string, unknown>)['message']), /empty pool/);
    assert.equal(b?.['status'], 'Error');
    assert.equal(b?.['error'], 'differs from the copy in cluster a');
  });

  it('an apply problem naming the merged resource makes every copy Error', () => {
    const statuses = desiredStatuses(
      input({
        resources: [
          { ref: { ...ts, cluster: 'a' }, addresses: [] },
          { ref: { ...ts, cluster: 'b' }, addresses: [] },
        ],
        applyProblems: [{ sources: [ts], message: 'AS3 422' }],
      }),
    );
    assert.deepEqual(
      statuses.map((s) => s.status['status']),
      ['Error', 'Error'],
    );
  });
});
