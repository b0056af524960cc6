import assert from 'node:assert/strict';
import type { ObjectRef } from '../kube/refs.js';
import type { MonitorModel } from '../model/virtual.js';
import { FieldReader } from './fields.js';
import { normalizeBackend, normalizeMonitors } from './pool.js';
import type { DefaultMonitorType } from './pool.js';

const source: ObjectRef = { kind: 'TransportServer', namespace: 'prod', name: 'sig' };

describe('normalizeMonitors', () => {
  const typed: Array<[DefaultMonitorType, MonitorModel[]]> = [
    ['tcp', [{ type: 'tcp', interval: 5 }]],
    ['udp', [{ type: 'udp', interval: 5 }]],
    ['http', [{ type: 'http', interval: 5 }]],
  ];
  for (const [defaultType, expected] of typed) {
    it(`gives an entry without type the pool's protocol (${defaultType})`, () => {
      const r = new FieldReader(source);
      assert.deepEqual(normalizeMonitors(r, 'spec.pool', { monitor: { interval: 5 } }, defaultType), expected);
      assert.deepEqual(r.diagnostics, []);
    });
  }

  it('on SCTP, which has no AS3 monitor, requires each entry to name its type or a BIG-IP monitor', () => {
    const r = new FieldReader(source);
    const monitors = normalizeMonitors(
      r,
      'spec.pool',
      {
        monitors: [{ type: 'tcp', interval: 5 }, { interval: 5 }, { name: '/Common/sctp', reference: 'bigip' }, { type: '' }],
      },
      'sctp',
    );
    assert.deepEqual(monitors, [{ type: 'tcp', interval: 5 }, { bigip: '/Common/sctp' }]);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.severity, d.field]),
      [
        ['error', 'spec.pool.monitors[1].type'],
        ['error', 'spec.pool.monitors[3].type'],
      ],
    );
    assert.match(
      r.diagnostics[0]?.message ?? '',
      /^is required for an SCTP pool \(AS3 has no SCTP monitor\): use tcp, udp, http or https, or reference a BIG-IP monitor$/,
    );
  });

  it("keeps timeUntilUp (seconds before a member that passed a probe takes traffic), within AS3's 0 to 1800", () => {
    const r = new FieldReader(source);
    const monitors = normalizeMonitors(
      r,
      'spec.pool',
      {
        monitors: [
          { type: 'tcp', interval: 5, timeUntilUp: 30 },
          { type: 'tcp', timeUntilUp: 1801 },
        ],
      },
      'tcp',
    );
    assert.deepEqual(monitors, [{ type: 'tcp', interval: 5, timeUntilUp: 30 }]);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.severity, d.field, d.message]),
      [['error', 'spec.pool.monitors[1].timeUntilUp', '1801 must be a whole number of seconds between 0 and 1800']],
    );
  });

  const timings: Array<[string, { interval?: number; timeout?: number }, RegExp | undefined]> = [
    ['a timeout above the interval', { interval: 5, timeout: 16 }, undefined],
    [
      'a timeout equal to the interval (CIS examples write 10 and 10)',
      { interval: 10, timeout: 10 },
      /^10 is not greater than interval \(10s\): a member may be marked down between two probes; set timeout to more than the interval, such as 3 × interval \+ 1 \(31\)$/,
    ],
    ['a timeout below the interval', { interval: 20, timeout: 5 }, /^5 is not greater than interval \(20s\)/],
    ['an interval alone', { interval: 20 }, undefined],
  ];
  for (const [what, timing, warning] of timings) {
    it(`translates ${what} as written${warning ? ', with a warning' : ''}`, () => {
      const r = new FieldReader(source);
      assert.deepEqual(normalizeMonitors(r, 'spec.pool', { monitor: { type: 'tcp', ...timing } }, 'tcp'), [{ type: 'tcp', ...timing }]);
      assert.deepEqual(
        r.diagnostics.map((d) => [d.severity, d.field]),
        warning ? [['warning', 'spec.pool.monitor.timeout']] : [],
      );
      if (warning) assert.match(r.diagnostics[0]?.message ?? '', warning);
    });
  }

  const labels: Array<[string, string, string | undefined]> = [
    ['key=value', 'node-role.kubernetes.io/worker=true', 'node-role.kubernetes.io/worker=true'],
    ['key= (an empty value)', 'node-role.kubernetes.io/worker=', 'node-role.kubernetes.io/worker='],
    ['key="" (how CIS examples write an empty value)', 'node-role.kubernetes.io/worker=""', 'node-role.kubernetes.io/worker='],
    ["key=''", "node-role.kubernetes.io/worker=''", 'node-role.kubernetes.io/worker='],
    ['a key without a value', 'node-role.kubernetes.io/worker', undefined],
    ['a set-based selector', 'zone in (a)', undefined],
  ];
  for (const [what, label, expected] of labels) {
    it(`reads nodeMemberLabel ${what}`, () => {
      const r = new FieldReader(source);
      const backend = normalizeBackend(r, 'spec.pool', { service: 'web', servicePort: 80, nodeMemberLabel: label }, 'prod');
      assert.equal(backend?.nodeMemberLabel, expected);
      assert.deepEqual(
        r.diagnostics.map((d) => d.field),
        expected === undefined ? ['spec.pool.nodeMemberLabel'] : [],
      );
    });
  }
});

describe('normalizeMonitors: send and recv', () => {
  it('rejects a send that is not a string, naming the field', () => {
    const r = new FieldReader({ kind: 'VirtualServer', namespace: 'ns', name: 'vs' });
    normalizeMonitors(r, 'spec.pools[0]', { monitor: { type: 'http', send: 42 as unknown as string } }, 'http');
    assert.deepEqual(
      r.diagnostics.map((d) => [d.field, d.message]),
      [['spec.pools[0].monitor.send', '42 must be a string']],
    );
  });
});
