import assert from 'node:assert/strict';
import { defaultConfig } from '../config/parse-config.js';
import { refOf } from '../kube/refs.js';
import { contextFor, virtualServer } from '../../test/support/fixtures.js';
import { normalizeVirtualServer } from './virtual-server.js';

const options = contextFor([], defaultConfig());

/** Fields CIS's CRDs define (so ours accept them) that kube-as3 does not translate: a warning each, never silence. */
describe('normalizeVirtualServer: CIS fields kube-as3 does not support', () => {
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['profileApiProtection', { profileApiProtection: '/Common/api' }, ['spec.profileApiProtection']],
    ['policyNamespace and tlsProfileNamespace naming another namespace', { policyNamespace: 'shared', tlsProfileNamespace: 'shared' }, ['spec.policyNamespace', 'spec.tlsProfileNamespace']],
    ['policyNamespace and tlsProfileNamespace naming its own namespace (nothing lost)', { policyNamespace: 'shop', tlsProfileNamespace: 'shop' }, []],
  ];
  for (const [what, spec, fields] of cases) {
    it(`${what}: ${fields.length > 0 ? 'warns and still publishes the virtual' : 'no warning'}`, () => {
      const vs = virtualServer('shop', 'web', { virtualServerAddress: '10.1.1.1', pools: [{ path: '/', service: 's', servicePort: 80 }], ...spec });
      const result = normalizeVirtualServer(vs, refOf(vs), options);
      assert.equal(result.claims.length, 1);
      assert.deepEqual(result.diagnostics.map((d) => [d.severity, d.field]), fields.map((f) => ['warning', f]));
      for (const d of result.diagnostics) assert.match(d.message, /^is not supported by this version of kube-as3 and was ignored/);
    });
  }
});
