import assert from 'node:assert/strict';
import type { ObjectRef } from '../kube/refs.js';
import type { MonitorModel } from '../model/virtual.js';
import { FieldReader } from './fields.js';
import { normalizeMonitors } from './pool.js';
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
    const monitors = normalizeMonitors(r, 'spec.pool', {
      monitors: [{ type: 'tcp', interval: 5 }, { interval: 5 }, { name: '/Common/sctp', reference: 'bigip' }, { type: '' }],
    }, 'sctp');
    assert.deepEqual(monitors, [{ type: 'tcp', interval: 5 }, { bigip: '/Common/sctp' }]);
    assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.field]), [['error', 'spec.pool.monitors[1].type'], ['error', 'spec.pool.monitors[3].type']]);
    assert.match(r.diagnostics[0]?.message ?? '', /^is required for an SCTP pool \(AS3 has no SCTP monitor\): use tcp, udp, http or https, or reference a BIG-IP monitor$/);
  });

  it('warns about timeUntilUp (a CIS field its CRD accepts) and keeps the monitor', () => {
    const r = new FieldReader(source);
    assert.deepEqual(normalizeMonitors(r, 'spec.pool', { monitors: [{ type: 'tcp', interval: 5, timeUntilUp: 30 } as never] }, 'tcp'), [{ type: 'tcp', interval: 5 }]);
    assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.field, d.message]), [['warning', 'spec.pool.monitors[0].timeUntilUp', 'is not supported by this version of kube-as3 and was ignored']]);
  });
});

describe('normalizeMonitors: send and recv', () => {
  it('rejects a send that is not a string, naming the field', () => {
    const r = new FieldReader({ kind: 'VirtualServer', namespace: 'ns', name: 'vs' });
    normalizeMonitors(r, 'spec.pools[0]', { monitor: { type: 'http', send: 42 as unknown as string } }, 'http');
    assert.deepEqual(r.diagnostics.map((d) => [d.field, d.message]), [['spec.pools[0].monitor.send', '42 must be a string']]);
  });
});
