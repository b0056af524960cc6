import assert from 'node:assert/strict';
import type { ObjectRef } from '../kube/refs.js';
import { assertOfficialApplicationValid } from '../../test/support/as3-validation.js';
import { FieldReader } from './fields.js';
import { hostPersistence, poolSettings, wholeNumber } from './route-options.js';

const source: ObjectRef = { kind: 'VirtualServer', namespace: 'shop', name: 'shop' };

describe('wholeNumber', () => {
  const cases: Array<[unknown, number | undefined | false, string | undefined]> = [
    [undefined, undefined, undefined],
    [null, undefined, undefined],
    [0, 0, undefined],
    [100, 100, undefined],
    [101, false, '101 must be a whole number from 0 to 100'],
    [-1, false, '-1 must be a whole number from 0 to 100'],
    [2.5, false, '2.5 must be a whole number from 0 to 100'],
    ['50', false, '"50" must be a whole number from 0 to 100'],
  ];
  for (const [value, expected, message] of cases) {
    it(`reads ${JSON.stringify(value)} as ${String(expected)}`, () => {
      const r = new FieldReader(source);
      assert.equal(wholeNumber(r, 'spec.pools[0].weight', value, 0, 100), expected);
      assert.deepEqual(
        r.diagnostics.map((d) => [d.field, d.message]),
        message ? [['spec.pools[0].weight', message]] : [],
      );
    });
  }
});

describe('poolSettings', () => {
  const every = {
    loadBalancingMethod: 'least-connections-member',
    reselectTries: 3,
    serviceDownAction: 'reselect',
    minimumMonitors: 1,
    slowRampTime: 900,
  };

  it('maps every pool field to its AS3 Pool property', () => {
    const r = new FieldReader(source);
    const settings = poolSettings(r, 'spec.poolSettings', every);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(settings, {
      loadBalancingMode: 'least-connections-member',
      reselectTries: 3,
      serviceDownAction: 'reselect',
      minimumMonitors: 1,
      slowRampTime: 900,
    });
  });

  it('gives a pool the official AS3 schema accepts', function () {
    assertOfficialApplicationValid(this, {
      vs: { class: 'Service_TCP', virtualAddresses: ['10.0.0.10'], virtualPort: 80, pool: 'p' },
      p: {
        class: 'Pool',
        members: [{ servicePort: 80, serverAddresses: ['10.1.0.1'] }],
        monitors: [{ bigip: '/Common/tcp' }],
        ...poolSettings(new FieldReader(source), 'spec.poolSettings', every),
      },
    });
  });

  it('gives undefined when nothing is set', () => {
    assert.equal(poolSettings(new FieldReader(source), 'spec.poolSettings', {}), undefined);
  });

  const bad: Array<[string, Record<string, unknown>, string, string]> = [
    ['slowRampTime above 900', { slowRampTime: 901 }, 'spec.poolSettings.slowRampTime', '901 must be a whole number from 0 to 900'],
    ['a negative slowRampTime', { slowRampTime: -5 }, 'spec.poolSettings.slowRampTime', '-5 must be a whole number from 0 to 900'],
    [
      'reselectTries above 65535',
      { reselectTries: 70000 },
      'spec.poolSettings.reselectTries',
      '70000 must be a whole number from 0 to 65535',
    ],
    [
      'an unknown serviceDownAction',
      { serviceDownAction: 'panic' },
      'spec.poolSettings.serviceDownAction',
      '"panic" must be one of none, reset, drop, reselect',
    ],
  ];
  for (const [what, spec, field, message] of bad) {
    it(`rejects ${what}`, () => {
      const r = new FieldReader(source);
      assert.equal(poolSettings(r, 'spec.poolSettings', spec), false);
      assert.deepEqual(
        r.diagnostics.map((d) => [d.severity, d.field, d.message]),
        [['error', field, message]],
      );
    });
  }
});

describe('hostPersistence', () => {
  it('names the AS3 persist action after the method', () => {
    const r = new FieldReader(source);
    assert.deepEqual(hostPersistence(r, 'spec.hostPersistence', { method: 'cookieInsert', metaData: { name: 'session', expiry: '1d' } }), {
      cookieInsert: { name: 'session', expiry: '1d' },
    });
    assert.deepEqual(r.diagnostics, []);
  });

  it('rejects a method that is only a property name of every object', () => {
    const r = new FieldReader(source);
    assert.equal(hostPersistence(r, 'spec.hostPersistence', { method: 'constructor' }), false);
    assert.deepEqual(
      r.diagnostics.map((d) => d.field),
      ['spec.hostPersistence.method'],
    );
    assert.match(r.diagnostics[0]?.message ?? '', /^"constructor" must be one of none, sourceAddress, destinationAddress/);
  });
});
