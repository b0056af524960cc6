import assert from 'node:assert/strict';
import type { ServiceSettings } from './settings.js';
import type { VirtualGroup } from './virtual.js';
import { assertOfficialApplicationValid } from '../../test/support/as3-validation.js';
import type { As3Object } from './as3-types.js';
import { acceptsSetting, applySettings, l4ServiceClass, serviceClassOf } from './service-classes.js';
import type { ServiceClass } from './service-classes.js';

function group(change: Partial<VirtualGroup>): VirtualGroup {
  return {
    id: 'kubernetes/app',
    partition: 'kubernetes',
    application: 'app',
    virtualName: 'vs',
    type: 'http',
    address: '10.0.0.10',
    port: 80,
    snat: 'auto',
    settings: {},
    claims: [],
    ...change,
  };
}

const tls = (termination: 'edge' | 'reencrypt' | 'passthrough'): VirtualGroup['tls'] => ({
  termination,
  source: { kind: 'TLSProfile', namespace: 'prod', name: 't' },
});

describe('serviceClassOf', () => {
  const cases: Array<[string, Partial<VirtualGroup>, ServiceClass]> = [
    ['an HTTP virtual', { type: 'http' }, 'Service_HTTP'],
    ['an HTTPS virtual that terminates TLS', { type: 'https', port: 443, tls: tls('edge') }, 'Service_HTTPS'],
    ['an HTTPS virtual that re-encrypts', { type: 'https', port: 443, tls: tls('reencrypt') }, 'Service_HTTPS'],
    ['a TLS passthrough virtual (it never decrypts)', { type: 'https', port: 443, tls: tls('passthrough') }, 'Service_TCP'],
    ['a TCP virtual', { type: 'tcp' }, 'Service_TCP'],
    ['a UDP virtual', { type: 'udp', l4Mode: 'standard' }, 'Service_UDP'],
    ['an SCTP virtual', { type: 'sctp' }, 'Service_SCTP'],
    ['a virtual in performance mode', { type: 'udp', l4Mode: 'performance' }, 'Service_L4'],
  ];
  for (const [what, change, cls] of cases) {
    it(`gives ${what} the AS3 class ${cls}`, () => assert.equal(serviceClassOf(group(change)), cls));
  }

  it('gives L4 virtuals the class l4ServiceClass names', () => {
    assert.deepEqual(
      [
        l4ServiceClass('tcp', 'standard'),
        l4ServiceClass('udp', 'standard'),
        l4ServiceClass('sctp', 'standard'),
        l4ServiceClass('sctp', 'performance'),
      ],
      ['Service_TCP', 'Service_UDP', 'Service_SCTP', 'Service_L4'],
    );
  });
});

describe('applySettings', () => {
  const settings: ServiceSettings = {
    profileUDP: { bigip: '/Common/udp' },
    iRules: [{ bigip: '/Common/rule' }],
    policyWAF: { bigip: '/Common/waf' },
    profileTCP: { bigip: '/Common/tcp' },
    allowVlans: [{ bigip: '/Common/external' }],
    profileDOS: { bigip: '/Common/dos' },
  };

  const tcp = (): As3Object => ({ class: 'Service_TCP', virtualAddresses: ['10.0.0.10'], virtualPort: 443 });
  const http = (): As3Object => ({ class: 'Service_HTTP', virtualAddresses: ['10.0.0.10'], virtualPort: 80 });

  it('copies what the class accepts in name order and returns the names it left out, sorted', () => {
    const service = tcp();
    const dropped = applySettings(service, 'Service_TCP', settings);
    assert.deepEqual(dropped, ['policyWAF', 'profileDOS', 'profileUDP']);
    assert.deepEqual(Object.keys(service), ['class', 'virtualAddresses', 'virtualPort', 'allowVlans', 'iRules', 'profileTCP']);
  });

  it('keeps WAF and DoS on HTTP virtuals and drops the UDP profile there', () => {
    const service = http();
    assert.deepEqual(applySettings(service, 'Service_HTTP', settings), ['profileUDP']);
    assert.deepEqual(service['policyWAF'], { bigip: '/Common/waf' });
  });

  for (const [as3Class, make] of [
    ['Service_TCP', tcp],
    ['Service_HTTP', http],
  ] as const) {
    it(`gives a ${as3Class} the official AS3 schema accepts`, function () {
      const service = make();
      applySettings(service, as3Class, settings);
      assertOfficialApplicationValid(this, { vs: service });
    });
  }

  it('ignores settings set to undefined', () => {
    const service: As3Object = { class: 'Service_UDP' };
    assert.deepEqual(applySettings(service, 'Service_UDP', { profileTCP: undefined, mirroring: 'L4' }), []);
    assert.deepEqual(service, { class: 'Service_UDP', mirroring: 'L4' });
  });

  it('answers acceptsSetting from the same table', () => {
    assert.equal(acceptsSetting('Service_L4', 'profileL4'), true);
    assert.equal(acceptsSetting('Service_TCP', 'profileL4'), false);
    assert.equal(acceptsSetting('Service_HTTPS', 'profileHTTP2'), true);
    assert.equal(acceptsSetting('Service_HTTP', 'profileHTTP2'), false);
  });
});
