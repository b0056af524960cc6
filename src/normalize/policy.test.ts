import assert from 'node:assert/strict';
import type { ObjectRef } from '../kube/refs.js';
import type { Policy } from '../kube/types.js';
import type { ServiceSettings } from '../model/settings.js';
import { cisResource, contextFor } from '../../test/support/fixtures.js';
import { assertOfficialApplicationValid } from '../../test/support/as3-validation.js';
import { FieldReader } from './fields.js';
import { resolvePolicy, settingsFor, settingsForL4Virtual } from './policy.js';
import type { PolicyModel } from './policy.js';

const vsRef: ObjectRef = { kind: 'VirtualServer', namespace: 'prod', name: 'shop' };

function policy(spec: unknown, name = 'p'): Policy {
  return cisResource<Policy>('Policy', 'prod', name, spec);
}

/** Resolves the Policy prod/p (given by its spec) as the VirtualServer prod/shop would. */
function resolve(spec: unknown): { model: PolicyModel | undefined; reader: FieldReader } {
  const reader = new FieldReader(vsRef);
  const model = resolvePolicy(reader, contextFor([policy(spec)]), 'prod', 'p', 'spec.policyName');
  return { model, reader };
}

function only(reader: FieldReader): { severity: string; field?: string; message: string } {
  assert.equal(reader.diagnostics.length, 1, JSON.stringify(reader.diagnostics));
  return reader.diagnostics[0] as { severity: string; field?: string; message: string };
}

describe('resolvePolicy', () => {
  const mappings: Array<[string, unknown, Partial<ServiceSettings>]> = [
    ['l7Policies.waf', { l7Policies: { waf: '/Common/WAF' } }, { policyWAF: { bigip: '/Common/WAF' } }],
    ['l7Policies.profileAccess', { l7Policies: { profileAccess: '/Common/apm' } }, { profileAccess: { bigip: '/Common/apm' } }],
    [
      'l7Policies.policyPerRequestAccess',
      { l7Policies: { policyPerRequestAccess: '/Common/prp' } },
      { policyPerRequestAccess: { bigip: '/Common/prp' } },
    ],
    [
      'l7Policies.profileAdapt',
      { l7Policies: { profileAdapt: { request: '/Common/req', response: '/Common/resp' } } },
      { profileRequestAdapt: { bigip: '/Common/req' }, profileResponseAdapt: { bigip: '/Common/resp' } },
    ],
    ['l3Policies.dos', { l3Policies: { dos: '/Common/dos' } }, { profileDOS: { bigip: '/Common/dos' } }],
    ['l3Policies.botDefense', { l3Policies: { botDefense: '/Common/bot' } }, { profileBotDefense: { bigip: '/Common/bot' } }],
    ['l3Policies.firewallPolicy', { l3Policies: { firewallPolicy: '/Common/afm' } }, { policyFirewallEnforced: { bigip: '/Common/afm' } }],
    [
      'l3Policies.ipIntelligencePolicy',
      { l3Policies: { ipIntelligencePolicy: '/Common/ipi' } },
      { ipIntelligencePolicy: { bigip: '/Common/ipi' } },
    ],
    ['l3Policies.allowVlans', { l3Policies: { allowVlans: ['/Common/external'] } }, { allowVlans: [{ bigip: '/Common/external' }] }],
    [
      'profiles.tcp (client only)',
      { profiles: { tcp: { client: '/Common/f5-tcp-lan' } } },
      { profileTCP: { bigip: '/Common/f5-tcp-lan' } },
    ],
    [
      'profiles.tcp (client and server)',
      { profiles: { tcp: { client: '/Common/lan', server: '/Common/wan' } } },
      { profileTCP: { ingress: { bigip: '/Common/lan' }, egress: { bigip: '/Common/wan' } } },
    ],
    ['profiles.udp', { profiles: { udp: '/Common/udp' } }, { profileUDP: { bigip: '/Common/udp' } }],
    ['profiles.persistenceProfile', { profiles: { persistenceProfile: 'source-address' } }, { persistenceMethods: ['source-address'] }],
    ['profiles.persistenceProfile none', { profiles: { persistenceProfile: 'none' } }, { persistenceMethods: [] }],
    [
      'profiles.logProfiles',
      { profiles: { logProfiles: ['/Common/Log_all_requests'] } },
      { securityLogProfiles: [{ bigip: '/Common/Log_all_requests' }] },
    ],
    ['profiles.profileL4', { profiles: { profileL4: '/Common/fastL4' } }, { profileL4: { bigip: '/Common/fastL4' } }],
    [
      'profiles.profileMultiplex',
      { profiles: { profileMultiplex: '/Common/oneconnect' } },
      { profileMultiplex: { bigip: '/Common/oneconnect' } },
    ],
    ['profiles.httpCompressionProfile', { profiles: { httpCompressionProfile: 'wan' } }, { profileHTTPCompression: 'wan' }],
    ['profiles.htmlProfile', { profiles: { htmlProfile: '/Common/html' } }, { profileHTML: { bigip: '/Common/html' } }],
    [
      'profiles.profileWebSocket',
      { profiles: { profileWebSocket: '/Common/websocket' } },
      { profileWebSocket: { bigip: '/Common/websocket' } },
    ],
    [
      'profiles.analyticsProfiles.http',
      { profiles: { analyticsProfiles: { http: '/Common/analytics' } } },
      { profileAnalytics: { bigip: '/Common/analytics' } },
    ],
    ['profiles.ftpProfile', { profiles: { ftpProfile: '/Common/ftp' } }, { profileFTP: { bigip: '/Common/ftp' } }],
    ['profiles.httpMrfRoutingEnabled', { profiles: { httpMrfRoutingEnabled: true } }, { httpMrfRoutingEnabled: true }],
    ['autoLastHop', { autoLastHop: 'disable' }, { lastHop: 'disable' }],
  ];
  for (const [what, spec, settings] of mappings) {
    it(`maps ${what} to the AS3 property ${Object.keys(settings).join(', ')}`, () => {
      const { model, reader } = resolve(spec);
      assert.deepEqual(reader.diagnostics, []);
      assert.deepEqual(model?.settings, settings);
      assert.deepEqual(model?.source, { kind: 'Policy', namespace: 'prod', name: 'p' });
    });
  }

  it('reads iRules, HTTP profiles, HTTP/2, SNAT, pool settings, allowSourceRange and defaultPool apart from the settings', () => {
    const { model, reader } = resolve({
      iRules: { secure: '/Common/sec', insecure: 'none', priority: 'high' },
      profiles: { http: '/Common/http', httpProfiles: { secure: '/Common/http-secure' }, http2: { client: '/Common/http2' } },
      snat: '/Common/snatpool',
      poolSettings: { reselectTries: 3, serviceDownAction: 'reset', slowRampTime: 30 },
      l3Policies: { allowSourceRange: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.1'] },
      defaultPool: { reference: 'bigip', name: '/Common/fallback' },
    });
    assert.deepEqual(reader.diagnostics, []);
    assert.deepEqual(model?.iRules, { secure: [{ bigip: '/Common/sec' }], insecure: [], priority: 'high', from: 'iRules' });
    assert.deepEqual(model?.httpProfiles, { secure: { bigip: '/Common/http-secure' }, insecure: { bigip: '/Common/http' } });
    assert.deepEqual(model?.http2, { bigip: '/Common/http2' });
    assert.deepEqual(model?.snat, { bigip: '/Common/snatpool' });
    assert.deepEqual(model?.pool, { reselectTries: 3, serviceDownAction: 'reset', slowRampTime: 30 });
    assert.deepEqual(model?.allowSourceRange, ['10.0.0.0/8', '192.0.2.1/32', '2001:db8::/32']);
    assert.deepEqual(model?.defaultPool, { reference: 'bigip', name: '/Common/fallback' });
    assert.deepEqual(model?.settings, {});
  });

  it('lets iRuleList win over iRules, for both virtuals, skipping none', () => {
    const { model } = resolve({
      iRuleList: ['/Common/a', 'none', '/Common/b'],
      iRules: { secure: '/Common/sec', insecure: '/Common/insec' },
    });
    const list = [{ bigip: '/Common/a' }, { bigip: '/Common/b' }];
    assert.deepEqual(model?.iRules, { secure: list, insecure: list, priority: 'low', from: 'iRuleList' });
  });

  it('records the Policy field each setting comes from, for warnings about it', () => {
    const { model } = resolve({
      profiles: { profileL4: '/Common/fastL4', analyticsProfiles: { http: '/Common/analytics' } },
      autoLastHop: 'auto',
    });
    assert.deepEqual(model?.fields, {
      profileL4: 'spec.profiles.profileL4',
      profileAnalytics: 'spec.profiles.analyticsProfiles.http',
      lastHop: 'spec.autoLastHop',
    });
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['ltmPolicies', { ltmPolicies: { secure: '/Common/ltm' } }, /^Policy prod\/p spec\.ltmPolicies: LTM policies are not supported/],
    [
      'a bad CIDR in allowSourceRange',
      { l3Policies: { allowSourceRange: ['10.0.0.0/8', '10.0.0.0/33'] } },
      /^Policy prod\/p spec\.l3Policies\.allowSourceRange\[1\]: "10\.0\.0\.0\/33" is not a CIDR/,
    ],
    [
      'an IPv6 CIDR too long',
      { l3Policies: { allowSourceRange: ['2001:db8::/129'] } },
      /spec\.l3Policies\.allowSourceRange\[0\]: "2001:db8::\/129" is not a CIDR/,
    ],
    [
      'a relative WAF path',
      { l7Policies: { waf: 'WAF' } },
      /^Policy prod\/p spec\.l7Policies\.waf: "WAF" must be the full path of an existing BIG-IP object/,
    ],
    [
      'a server-only TCP profile',
      { profiles: { tcp: { server: '/Common/wan' } } },
      /^Policy prod\/p spec\.profiles\.tcp\.client: is required when server is set/,
    ],
    [
      'an unknown persistence',
      { profiles: { persistenceProfile: 'sticky' } },
      /spec\.profiles\.persistenceProfile: "sticky" must be none, one of cookie/,
    ],
    [
      'a bad iRule priority',
      { iRules: { secure: '/Common/x', priority: 'override' } },
      /spec\.iRules\.priority: "override" must be high or low/,
    ],
    ['a bad iRuleList entry', { iRuleList: ['rule'] }, /spec\.iRuleList\[0\]: "rule" must be the full path/],
    ['a bad SNAT', { snat: 'sometimes' }, /^Policy prod\/p spec\.snat: "sometimes" must be auto, none, self or a SNAT pool path/],
    ['a bad autoLastHop', { autoLastHop: 'always' }, /spec\.autoLastHop: "always" must be default, auto or disable/],
    [
      'reselectTries out of range',
      { poolSettings: { reselectTries: 70000 } },
      /spec\.poolSettings\.reselectTries: 70000 must be a whole number from 0 to 65535/,
    ],
    [
      'an unknown serviceDownAction',
      { poolSettings: { serviceDownAction: 'panic' } },
      /spec\.poolSettings\.serviceDownAction: "panic" must be one of none, reset, drop, reselect/,
    ],
    [
      'slowRampTime out of range',
      { poolSettings: { slowRampTime: 901 } },
      /spec\.poolSettings\.slowRampTime: 901 must be a whole number from 0 to 900/,
    ],
    [
      'a non-boolean httpMrfRoutingEnabled',
      { profiles: { httpMrfRoutingEnabled: 'yes' } },
      /spec\.profiles\.httpMrfRoutingEnabled: "yes" must be true or false/,
    ],
    ['no spec', null, /^Policy prod\/p spec: is required/],
  ];
  for (const [what, spec, message] of bad) {
    it(`rejects ${what} on the referencing field, naming the Policy field`, () => {
      const { model, reader } = resolve(spec);
      assert.equal(model, undefined);
      const d = only(reader);
      assert.equal(d.severity, 'error');
      assert.equal(d.field, 'spec.policyName');
      assert.match(d.message, message);
    });
  }

  const ignored: Array<[string, unknown, RegExp]> = [
    [
      'rewriteProfile',
      { profiles: { rewriteProfile: '/Common/rewrite' } },
      /spec\.profiles\.rewriteProfile: is ignored: CIS validated it but never applied it/,
    ],
    [
      'sslProfiles',
      { profiles: { sslProfiles: { clientProfiles: ['/Common/clientssl'] } } },
      /spec\.profiles\.sslProfiles: is ignored: it only applies to OpenShift Routes/,
    ],
    [
      'multiPoolPersistence',
      { poolSettings: { multiPoolPersistence: { method: 'hashSourceAddress' } } },
      /spec\.poolSettings\.multiPoolPersistence: is not supported/,
    ],
  ];
  for (const [what, spec, message] of ignored) {
    it(`warns that ${what} has no effect and still applies the Policy`, () => {
      const { model, reader } = resolve(spec);
      assert.ok(model);
      const d = only(reader);
      assert.equal(d.severity, 'warning');
      assert.equal(d.field, 'spec.policyName');
      assert.match(d.message, message);
    });
  }

  it('reports a missing Policy and records it as a dependency', () => {
    const reader = new FieldReader(vsRef);
    const ctx = contextFor([]);
    assert.equal(resolvePolicy(reader, ctx, 'prod', 'gone', 'spec.policyName'), undefined);
    const d = only(reader);
    assert.equal(d.field, 'spec.policyName');
    assert.match(d.message, /^Policy prod\/gone was not found; create it, or name an existing Policy of namespace prod$/);
    assert.deepEqual(ctx.takeDependencies(), [{ kind: 'Policy', namespace: 'prod', name: 'gone' }]);
  });

  it('does not look for the Policy in another namespace', () => {
    const reader = new FieldReader(vsRef);
    const other = cisResource<Policy>('Policy', 'other', 'p', {});
    assert.equal(resolvePolicy(reader, contextFor([other]), 'prod', 'p', 'spec.policyName'), undefined);
    assert.match(only(reader).message, /^Policy prod\/p was not found/);
  });

  it('refuses a Policy that the customResourceLabel does not select', () => {
    const unlabelled: Policy = { apiVersion: 'cis.f5.com/v1', kind: 'Policy', metadata: { namespace: 'prod', name: 'p' }, spec: {} };
    const reader = new FieldReader(vsRef);
    assert.equal(resolvePolicy(reader, contextFor([unlabelled]), 'prod', 'p', 'spec.policyName'), undefined);
    const d = only(reader);
    assert.equal(d.severity, 'error');
    assert.match(d.message, /^Policy prod\/p is ignored: its labels do not match customResourceLabel "f5cr in \(true\)"/);
  });

  it('reports a broken Policy on every resource that uses it', () => {
    const broken = policy({ l3Policies: { dos: 'dos' } });
    const ctx = contextFor([broken]);
    for (const name of ['a', 'b']) {
      const reader = new FieldReader({ kind: 'TransportServer', namespace: 'prod', name });
      assert.equal(resolvePolicy(reader, ctx, 'prod', 'p', 'spec.policyName'), undefined);
      assert.match(only(reader).message, /^Policy prod\/p spec\.l3Policies\.dos:/);
    }
  });
});

describe('settingsFor', () => {
  function model(spec: unknown): PolicyModel {
    const { model: m, reader } = resolve(spec);
    assert.deepEqual(reader.diagnostics, []);
    assert.ok(m);
    return m;
  }

  it('returns the own settings unchanged without a Policy', () => {
    const own: ServiceSettings = { profileTCP: { bigip: '/Common/tcp' } };
    assert.deepEqual(settingsFor(undefined, own, 'l4'), { settings: own, ignored: [] });
  });

  it("lets the resource's own settings win over the Policy's", () => {
    const p = model({
      l7Policies: { waf: '/Common/policy-waf' },
      profiles: { persistenceProfile: 'cookie', profileMultiplex: '/Common/oneconnect' },
    });
    const { settings } = settingsFor(p, { policyWAF: { bigip: '/Common/own-waf' }, persistenceMethods: [] }, 'http');
    assert.deepEqual(settings, {
      policyWAF: { bigip: '/Common/own-waf' },
      persistenceMethods: [],
      profileMultiplex: { bigip: '/Common/oneconnect' },
    });
  });

  const iRuleCases: Array<[string, unknown, 'http' | 'https' | 'l4', string[]]> = [
    [
      'insecure after the own rules on HTTP',
      { iRules: { secure: '/Common/sec', insecure: '/Common/insec' } },
      'http',
      ['/Common/own', '/Common/insec'],
    ],
    [
      'secure after the own rules on HTTPS',
      { iRules: { secure: '/Common/sec', insecure: '/Common/insec' } },
      'https',
      ['/Common/own', '/Common/sec'],
    ],
    ['insecure on L4 virtuals', { iRules: { secure: '/Common/sec', insecure: '/Common/insec' } }, 'l4', ['/Common/own', '/Common/insec']],
    [
      'the Policy first with priority high',
      { iRules: { insecure: '/Common/insec', priority: 'high' } },
      'http',
      ['/Common/insec', '/Common/own'],
    ],
    ['iRuleList on every virtual', { iRuleList: ['/Common/x', '/Common/own'] }, 'https', ['/Common/own', '/Common/x']],
  ];
  for (const [what, spec, target, expected] of iRuleCases) {
    it(`adds the Policy's iRules: ${what}`, () => {
      const { settings } = settingsFor(model(spec), { iRules: [{ bigip: '/Common/own' }] }, target);
      assert.deepEqual(
        settings.iRules?.map((r) => r.bigip),
        expected,
      );
    });
  }

  it('uses the Policy iRules alone when the resource has none', () => {
    const { settings } = settingsFor(model({ iRules: { insecure: '/Common/insec' } }), {}, 'http');
    assert.deepEqual(settings.iRules, [{ bigip: '/Common/insec' }]);
    assert.equal(settingsFor(model({ iRules: { insecure: '/Common/insec' } }), {}, 'https').settings.iRules, undefined);
  });

  it('applies the HTTP profile per side and HTTP/2 on HTTPS only', () => {
    const p = model({
      profiles: { httpProfiles: { secure: '/Common/https-x', insecure: '/Common/http-x' }, http2: { client: '/Common/h2' } },
    });
    assert.deepEqual(settingsFor(p, {}, 'http'), { settings: { profileHTTP: { bigip: '/Common/http-x' } }, ignored: [] });
    assert.deepEqual(settingsFor(p, {}, 'https'), {
      settings: { profileHTTP: { bigip: '/Common/https-x' }, profileHTTP2: { bigip: '/Common/h2' } },
      ignored: [],
    });
  });

  it('keeps L4-only Policy settings off VirtualServers and lists them', () => {
    const p = model({
      profiles: { profileL4: '/Common/fastL4', udp: '/Common/udp', ftpProfile: '/Common/ftp', tcp: { client: '/Common/tcp' } },
    });
    const { settings, ignored } = settingsFor(p, {}, 'https');
    assert.deepEqual(settings, { profileTCP: { bigip: '/Common/tcp' } });
    assert.deepEqual([...ignored].sort(), ['spec.profiles.ftpProfile', 'spec.profiles.profileL4', 'spec.profiles.udp']);
  });

  it('keeps HTTP-only Policy parts off L4 virtuals and lists them', () => {
    const p = model({
      l7Policies: { waf: '/Common/waf', profileAccess: '/Common/apm' },
      l3Policies: { dos: '/Common/dos', firewallPolicy: '/Common/afm', allowSourceRange: ['10.0.0.0/8'] },
      profiles: {
        profileMultiplex: '/Common/oneconnect',
        http: '/Common/http',
        http2: { client: '/Common/h2' },
        logProfiles: ['/Common/log'],
      },
      autoLastHop: 'auto',
      defaultPool: { reference: 'bigip', name: '/Common/pool' },
    });
    const { settings, ignored } = settingsFor(p, {}, 'l4');
    assert.deepEqual(settings, { policyFirewallEnforced: { bigip: '/Common/afm' }, securityLogProfiles: [{ bigip: '/Common/log' }] });
    assert.deepEqual([...ignored].sort(), [
      'spec.autoLastHop',
      'spec.defaultPool',
      'spec.l3Policies.allowSourceRange',
      'spec.l3Policies.dos',
      'spec.l7Policies.profileAccess',
      'spec.l7Policies.waf',
      'spec.profiles.http',
      'spec.profiles.http2',
      'spec.profiles.profileMultiplex',
    ]);
  });

  it('lists iRules.secure as ignored on L4 virtuals (they only take insecure), but not the rules of iRuleList', () => {
    const secure = settingsFor(model({ iRules: { secure: '/Common/sec', insecure: '/Common/insec' } }), {}, 'l4');
    assert.deepEqual(secure.settings.iRules, [{ bigip: '/Common/insec' }]);
    assert.deepEqual(secure.ignored, ['spec.iRules.secure']);
    const list = settingsFor(model({ iRuleList: ['/Common/x'] }), {}, 'l4');
    assert.deepEqual(list, { settings: { iRules: [{ bigip: '/Common/x' }] }, ignored: [] });
    assert.deepEqual(settingsFor(model({ iRules: { insecure: '/Common/insec' } }), {}, 'l4').ignored, []);
  });

  it('gives every resource that shares a Policy its own settings object', () => {
    const p = model({ profiles: { persistenceProfile: 'cookie' } });
    const a = settingsFor(p, {}, 'http').settings;
    a.persistenceMethods = [];
    assert.deepEqual(settingsFor(p, {}, 'http').settings, { persistenceMethods: ['cookie'] });
  });
});

describe('settingsForL4Virtual', () => {
  const all: ServiceSettings = {
    iRules: [{ bigip: '/Common/rule' }],
    allowVlans: [{ bigip: '/Common/external' }],
    persistenceMethods: ['source-address'],
    profileTCP: { bigip: '/Common/tcp' },
    profileUDP: { bigip: '/Common/udp' },
    profileFTP: { bigip: '/Common/ftp' },
    profileL4: { bigip: '/Common/fastL4' },
    profileDOS: { bigip: '/Common/dos' },
    mirroring: 'L4',
    policyFirewallEnforced: { bigip: '/Common/afm' },
    securityLogProfiles: [{ bigip: '/Common/log' }],
  };
  const common = ['allowVlans', 'iRules', 'mirroring', 'persistenceMethods', 'policyFirewallEnforced', 'securityLogProfiles'];
  const cases: Array<['tcp' | 'udp' | 'sctp', 'standard' | 'performance', string, string[]]> = [
    ['tcp', 'standard', 'Service_TCP', [...common, 'profileFTP', 'profileTCP']],
    ['udp', 'standard', 'Service_UDP', [...common, 'profileUDP']],
    ['sctp', 'standard', 'Service_SCTP', common],
    ['tcp', 'performance', 'Service_L4', [...common, 'profileL4']],
  ];
  for (const [type, mode, as3Class, kept] of cases) {
    it(`keeps what AS3 ${as3Class} accepts (${type}, ${mode})`, () => {
      const { settings, ignored } = settingsForL4Virtual(all, type, mode);
      assert.deepEqual(Object.keys(settings).sort(), [...kept].sort());
      assert.deepEqual([...Object.keys(settings), ...ignored].sort(), Object.keys(all).sort());
    });

    it(`gives a ${as3Class} the official AS3 schema accepts (${type}, ${mode})`, function () {
      const { settings } = settingsForL4Virtual(all, type, mode);
      const service = {
        class: as3Class,
        virtualAddresses: ['10.0.0.1'],
        virtualPort: 80,
        ...(mode === 'performance' ? { layer4: type } : {}),
        ...settings,
      };
      assertOfficialApplicationValid(this, { vs: service });
    });
  }
});
