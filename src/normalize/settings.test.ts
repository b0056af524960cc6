import assert from 'node:assert/strict';
import type { ObjectRef } from '../kube/refs.js';
import { FieldReader } from './fields.js';
import { readSettings } from './settings.js';
import type { SettingsSource } from './settings.js';

const source: ObjectRef = { kind: 'TransportServer', namespace: 'prod', name: 'db' };

describe('readSettings', () => {
  const cases: Array<[SettingsSource, Record<string, unknown>, Record<string, unknown>, Record<string, string>]> = [
    [
      'virtualServer',
      { waf: '/Common/waf', profileAdapt: { request: '/Common/req' }, profiles: { http2: { client: '/Common/h2' } } },
      { policyWAF: { bigip: '/Common/waf' }, profileRequestAdapt: { bigip: '/Common/req' }, profileHTTP2: { bigip: '/Common/h2' } },
      { policyWAF: 'spec.waf', profileRequestAdapt: 'spec.profileAdapt.request', profileHTTP2: 'spec.profiles.http2' },
    ],
    [
      'transportServer',
      { profileL4: '/Common/fastL4', connectionMirroring: 'L4', iRules: ['none', '/Common/rule'] },
      { profileL4: { bigip: '/Common/fastL4' }, mirroring: 'L4', iRules: [{ bigip: '/Common/rule' }] },
      { profileL4: 'spec.profileL4', mirroring: 'spec.connectionMirroring', iRules: 'spec.iRules' },
    ],
    [
      'policy',
      {
        profiles: { profileL4: '/Common/fastL4', analyticsProfiles: { http: '/Common/a' } },
        autoLastHop: 'auto',
        l3Policies: { dos: '/Common/dos' },
      },
      {
        profileL4: { bigip: '/Common/fastL4' },
        profileAnalytics: { bigip: '/Common/a' },
        lastHop: 'auto',
        profileDOS: { bigip: '/Common/dos' },
      },
      {
        profileL4: 'spec.profiles.profileL4',
        profileAnalytics: 'spec.profiles.analyticsProfiles.http',
        lastHop: 'spec.autoLastHop',
        profileDOS: 'spec.l3Policies.dos',
      },
    ],
  ];
  for (const [kind, spec, settings, fields] of cases) {
    it(`reads a ${kind} spec and records the field of each setting`, () => {
      const r = new FieldReader(source);
      const b = readSettings(r, spec, kind);
      assert.deepEqual(r.diagnostics, []);
      assert.equal(b.ok, true);
      assert.deepEqual(b.settings, settings);
      assert.deepEqual(b.fields, fields);
    });
  }

  it('reads only the fields the kind has (a TransportServer has no waf)', () => {
    const b = readSettings(new FieldReader(source), { waf: '/Common/waf', dos: '/Common/dos' }, 'transportServer');
    assert.deepEqual(b.settings, { profileDOS: { bigip: '/Common/dos' } });
  });

  it('reports every bad value at its field and clears ok', () => {
    const r = new FieldReader(source);
    const b = readSettings(
      r,
      { profiles: { tcp: { server: '/Common/wan' } }, autoLastHop: 'always', l3Policies: { allowVlans: 'external' } },
      'policy',
    );
    assert.equal(b.ok, false);
    assert.deepEqual(r.diagnostics.map((d) => [d.field, d.message]).sort(), [
      ['spec.autoLastHop', '"always" must be default, auto or disable'],
      ['spec.l3Policies.allowVlans', 'must be a list of BIG-IP paths'],
      ['spec.profiles.tcp.client', 'is required when server is set (the server side alone cannot be applied)'],
    ]);
  });

  it('skips a malformed parent object instead of failing on it', () => {
    const r = new FieldReader(source);
    const b = readSettings(r, { profileAdapt: 'yes', profiles: ['tcp'] }, 'virtualServer');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(b.settings, {});
  });
});
