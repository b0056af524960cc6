import assert from 'node:assert/strict';
import { defaultConfig } from '../config/parse-config.js';
import { refOf } from '../kube/refs.js';
import type { Policy, TLSProfile } from '../kube/types.js';
import { cisResource, contextFor, virtualServer } from '../../test/support/fixtures.js';
import { normalizeVirtualServer } from './virtual-server.js';

const options = contextFor([], defaultConfig());

/** CIS 2.20's references across namespaces and its newer profiles: translated, never dropped. */
describe('normalizeVirtualServer: policyNamespace, tlsProfileNamespace and CIS 2.20 profiles', () => {
  const policy = cisResource<Policy>('Policy', 'shared', 'edge', { l7Policies: { waf: '/Common/waf' } });
  const profile = cisResource<TLSProfile>('TLSProfile', 'shared', 'tls', { tls: { termination: 'edge', reference: 'bigip', clientSSL: '/Common/clientssl' } });
  const inventory = contextFor([policy, profile], defaultConfig());
  const base = { virtualServerAddress: '10.1.1.1', pools: [{ path: '/', service: 's', servicePort: 80 }] };

  it('takes the Policy from policyNamespace and the TLSProfile from tlsProfileNamespace', () => {
    const vs = virtualServer('shop', 'web', { ...base, policyName: 'edge', policyNamespace: 'shared', tlsProfileName: 'tls', tlsProfileNamespace: 'shared' });
    const result = normalizeVirtualServer(vs, refOf(vs), inventory);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.claims.map((c) => [c.type, c.settings.policyWAF]), [['https', { bigip: '/Common/waf' }], ['http', { bigip: '/Common/waf' }]]);
    assert.equal(result.claims[0]?.tls?.source.namespace, 'shared');
  });

  const refused: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['a Policy looked up in its own namespace when policyNamespace is absent', { policyName: 'edge' }, 'spec.policyName', /^Policy shop\/edge was not found; create it/],
    ['a TLSProfile looked up in its own namespace when tlsProfileNamespace is absent', { tlsProfileName: 'tls' }, 'spec.tlsProfileName', /^TLSProfile shop\/tls was not found/],
    ['a policyNamespace that is not a namespace name', { policyName: 'edge', policyNamespace: 'Shared' }, 'spec.policyNamespace', /^"Shared" is not a valid namespace name$/],
  ];
  for (const [what, spec, field, message] of refused) {
    it(`refuses ${what}`, () => {
      const vs = virtualServer('shop', 'web', { ...base, ...spec });
      const result = normalizeVirtualServer(vs, refOf(vs), inventory);
      assert.deepEqual(result.claims, []);
      assert.deepEqual(result.diagnostics.map((d) => [d.severity, d.field]), [['error', field]]);
      assert.match(result.diagnostics[0]?.message ?? '', message);
    });
  }

  it('says when the Policy\'s namespace is not one the controller reads', () => {
    const config = { ...defaultConfig(), namespaces: ['shop'] };
    const vs = virtualServer('shop', 'web', { ...base, policyName: 'edge', policyNamespace: 'shared' });
    const result = normalizeVirtualServer(vs, refOf(vs), contextFor([policy], config));
    assert.match(result.diagnostics[0]?.message ?? '', /^Policy shared\/edge was not found; namespace shared is not one of the configured namespaces, so kube-as3 does not read it; add it to namespaces in the config file$/);
  });

  it('warns that policyNamespace without policyName means nothing', () => {
    const vs = virtualServer('shop', 'web', { ...base, policyNamespace: 'shared' });
    const result = normalizeVirtualServer(vs, refOf(vs), inventory);
    assert.equal(result.claims.length, 1);
    assert.deepEqual(result.diagnostics.map((d) => [d.severity, d.field, d.message]), [['warning', 'spec.policyNamespace', 'ignored: spec.policyName is not set; name the Policy there, or remove policyNamespace']]);
  });

  it('puts profileApiProtection, profileAnalyticsTcp and profiles.profileProtocolInspection on the virtual', () => {
    const vs = virtualServer('shop', 'web', {
      ...base, profileApiProtection: '/Common/api', profileAnalyticsTcp: '/Common/tcp-analytics', profiles: { profileProtocolInspection: '/Common/inspect' },
    });
    const result = normalizeVirtualServer(vs, refOf(vs), options);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.claims[0]?.settings, {
      profileAnalyticsTcp: { bigip: '/Common/tcp-analytics' }, profileProtocolInspection: { bigip: '/Common/inspect' }, profileApiProtection: { bigip: '/Common/api' },
    });
  });
});
