import assert from 'node:assert/strict';
import { defaultConfig } from '../config/parse-config.js';
import { refOf } from '../kube/refs.js';
import type { VirtualClaim } from '../model/virtual.js';
import { contextFor, transportServer, virtualServer } from '../../test/support/fixtures.js';
import { groupClaims } from './group.js';
import { normalizeTransportServer } from './transport-server.js';
import { normalizeVirtualServer } from './virtual-server.js';

const config = defaultConfig();
config.bigip.partition = 'k8s';
const options = contextFor([], config);

function vsClaim(ns: string, name: string, created: string, spec: Record<string, unknown>): VirtualClaim {
  const vs = virtualServer(
    ns,
    name,
    { virtualServerAddress: '10.1.1.1', pools: [{ path: '/', service: 's', servicePort: 80 }], ...spec },
    created,
  );
  const claim = normalizeVirtualServer(vs, refOf(vs), options).claims[0];
  assert.ok(claim, `${name} should normalize`);
  return claim;
}

describe('groupClaims', () => {
  it("groups one namespace's VirtualServers on one address:port into one application", () => {
    const { groups, diagnostics } = groupClaims([
      vsClaim('a', 'two', '2026-01-02T00:00:00Z', { host: 'two.example.com' }),
      vsClaim('a', 'one', '2026-01-01T00:00:00Z', { host: 'one.example.com' }),
    ]);
    assert.deepEqual(diagnostics, []);
    assert.equal(groups.length, 1);
    assert.deepEqual(
      groups[0]?.claims.map((c) => c.source.name),
      ['one', 'two'],
    );
    assert.equal(groups[0]?.application, 'crd_10_1_1_1_80');
  });

  const conflicts: Array<[string, VirtualClaim, RegExp]> = [
    [
      'another namespace on the same address:port',
      vsClaim('b', 'newer', '2026-01-02T00:00:00Z', {}),
      /already used by VirtualServer a\/older in another namespace/,
    ],
    [
      'the same host and path',
      vsClaim('a', 'newer', '2026-01-02T00:00:00Z', {}),
      /\(any host\)\/ on 10\.1\.1\.1:80 is already routed by VirtualServer a\/older/,
    ],
    [
      'another partition on the same address',
      vsClaim('a', 'newer', '2026-01-02T00:00:00Z', { partition: 'other', virtualServerHTTPPort: 81 }),
      /already belongs to partition k8s/,
    ],
  ];
  for (const [what, newer, message] of conflicts) {
    it(`rejects the newer resource for ${what}, whatever the input order`, () => {
      const older = vsClaim('a', 'older', '2026-01-01T00:00:00Z', {});
      for (const input of [
        [older, newer],
        [newer, older],
      ]) {
        const { groups, diagnostics } = groupClaims(input);
        assert.deepEqual(
          groups.flatMap((g) => g.claims.map((c) => c.source.name)),
          ['older'],
        );
        assert.equal(diagnostics.length, 1);
        assert.equal(diagnostics[0]?.ref.name, 'newer');
        assert.match(diagnostics[0]?.message ?? '', message);
      }
    });
  }

  it('gives an L4 listener to the older of two TransportServers', () => {
    const claims = [
      ['2026-01-02T00:00:00Z', 'newer'],
      ['2026-01-01T00:00:00Z', 'older'],
    ].map(([created, name]) => {
      const ts = transportServer(
        'a',
        name as string,
        { virtualServerAddress: '10.1.1.3', virtualServerPort: 22, pool: { service: 'ssh', servicePort: 22 } },
        created,
      );
      return normalizeTransportServer(ts, refOf(ts), options).claims[0] as VirtualClaim;
    });
    const { groups, diagnostics } = groupClaims(claims);
    assert.deepEqual(
      groups.flatMap((g) => g.claims.map((c) => c.source.name)),
      ['older'],
    );
    assert.match(diagnostics[0]?.message ?? '', /^10\.1\.1\.3:22 is already used by TransportServer a\/older/);
  });

  it('lets TCP and UDP TransportServers share an address and port', () => {
    const claims = ['tcp', 'udp'].map((type) => {
      const ts = transportServer('a', `dns-${type}`, {
        virtualServerAddress: '10.1.1.2',
        virtualServerPort: 53,
        type,
        pool: { service: 'dns', servicePort: 53 },
      });
      return normalizeTransportServer(ts, refOf(ts), options).claims[0] as VirtualClaim;
    });
    const { groups, diagnostics } = groupClaims(claims);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(
      groups.map((g) => g.application),
      ['crd_10_1_1_2_53', 'crd_10_1_1_2_53_udp'],
    );
  });
});
