import assert from 'node:assert/strict';
import type { AdminState, ClusterConfig, MultiClusterConfig } from '../config/config.js';
import { ClusterSet } from './cluster-set.js';
import { ClusterState } from './cluster-state.js';

function cluster(name: string, extra: Partial<ClusterConfig> = {}): ClusterConfig {
  return { name, ratio: 1, adminState: 'enable', primary: false, ...extra };
}

function multi(clusters: ClusterConfig[], extra: Partial<MultiClusterConfig> = {}): MultiClusterConfig {
  return { mode: 'active-standby', clusters, ...extra };
}

/** A state for every named cluster. */
function states(...names: string[]): Map<string, ClusterState> {
  return new Map(names.map((n) => [n, new ClusterState(n)]));
}

describe('ClusterSet', () => {
  describe('fromConfig', () => {
    const ranks: Array<[string, MultiClusterConfig, Record<string, number>, string]> = [
      ['list order without primary or local cluster', multi([cluster('a'), cluster('b'), cluster('c')]), { a: 0, b: 1, c: 2 }, 'a'],
      ['the local cluster first', multi([cluster('a'), cluster('b'), cluster('c')], { localClusterName: 'c' }), { c: 0, a: 1, b: 2 }, 'c'],
      [
        'the primary first, before the local cluster',
        multi([cluster('a'), cluster('b', { primary: true }), cluster('c')], { localClusterName: 'c' }),
        { b: 0, a: 1, c: 2 },
        'c',
      ],
      [
        'the primary first, the rest in list order',
        multi([cluster('a'), cluster('b'), cluster('c', { primary: true })]),
        { c: 0, a: 1, b: 2 },
        'a',
      ],
    ];
    for (const [what, config, expected, local] of ranks) {
      it(`ranks ${what}`, () => {
        const set = ClusterSet.fromConfig(config, states('a', 'b', 'c'));
        assert.deepEqual(Object.fromEntries(set.clusters.map((c) => [c.name, c.rank])), expected);
        assert.deepEqual(
          set.clusters.map((c) => c.name),
          config.clusters.map((c) => c.name),
          'precedence stays the list order',
        );
        assert.equal(set.localName, local);
      });
    }

    it('keeps the configured mode, ratio and admin state, and the states given', () => {
      const given = states('a', 'b');
      const set = ClusterSet.fromConfig(
        multi([cluster('a', { ratio: 3 }), cluster('b', { adminState: 'offline' })], { mode: 'ratio' }),
        given,
      );
      assert.equal(set.mode, 'ratio');
      assert.equal(set.multi, true);
      assert.deepEqual(
        set.clusters.map((c) => [c.name, c.ratio, c.adminState, c.state === given.get(c.name), c.unreadable]),
        [
          ['a', 3, 'enable', true, undefined],
          ['b', 1, 'offline', true, undefined],
        ],
      );
    });

    it('makes a cluster without a state unreadable, with an empty state of its name', () => {
      const set = ClusterSet.fromConfig(multi([cluster('a'), cluster('b')]), states('a'));
      const b = set.clusters[1];
      assert.equal(b?.unreadable, 'no input was given for it');
      assert.equal(b?.state.name, 'b');
      assert.deepEqual(b?.state.list('VirtualServer'), []);
      assert.equal(set.clusters[0]?.unreadable, undefined);
      assert.ok(!('unreadable' in (set.clusters[0] ?? {})), 'no unreadable key on a readable cluster');
    });

    it('keeps the reasons given for unreadable clusters', () => {
      const reasons = new Map([
        ['b', 'west/: cannot read: ENOENT'],
        ['c', 'kubeconfig expired'],
      ]);
      const set = ClusterSet.fromConfig(multi([cluster('a'), cluster('b'), cluster('c')]), states('a', 'c'), reasons);
      assert.deepEqual(
        set.clusters.map((c) => c.unreadable),
        [undefined, 'west/: cannot read: ENOENT', 'kubeconfig expired'],
      );
    });

    it('takes the first cluster as local when none is named', () => {
      assert.equal(ClusterSet.fromConfig(multi([cluster('x'), cluster('y')]), states('x', 'y')).localName, 'x');
    });
  });

  describe('signature', () => {
    const base = (): MultiClusterConfig => multi([cluster('a'), cluster('b')]);
    const signature = (config: MultiClusterConfig, unreadable: Map<string, string> = new Map(), given = states('a', 'b')): string =>
      ClusterSet.fromConfig(config, given, unreadable).signature;
    const reference = signature(base());
    const withB = (extra: Partial<ClusterConfig>): MultiClusterConfig => multi([cluster('a'), cluster('b', extra)]);

    const changes: Array<[string, () => string]> = [
      ['a ratio', () => signature(withB({ ratio: 2 }))],
      ...(['disable', 'offline', 'no-pool'] as AdminState[]).map((s): [string, () => string] => [
        `admin state ${s}`,
        () => signature(withB({ adminState: s })),
      ]),
      ['the primary (ranks)', () => signature(withB({ primary: true }))],
      ['a cluster becoming unreadable', () => signature(base(), new Map([['b', 'down']]))],
      ['a cluster without input', () => signature(base(), new Map(), states('a'))],
      ['the mode', () => signature(multi(base().clusters, { mode: 'ratio' }))],
      ['the local cluster', () => signature(multi(base().clusters, { localClusterName: 'b' }))],
    ];
    for (const [what, changed] of changes) {
      it(`changes with ${what}`, () => assert.notEqual(changed(), reference));
    }

    it("does not change with the clusters' contents or the unreadable reason", () => {
      const filled = states('a', 'b');
      filled.get('a')?.upsert({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns', name: 'web' } }, 'Service');
      assert.equal(signature(base(), new Map(), filled), reference);
      assert.equal(signature(base(), new Map([['b', 'one reason']])), signature(base(), new Map([['b', 'another reason']])));
    });
  });

  it('single(): one enabled cluster of ratio 1 and rank 0, with no multi-cluster mode', () => {
    const state = new ClusterState('local');
    const set = ClusterSet.single(state);
    assert.equal(set.mode, 'single');
    assert.equal(set.multi, false);
    assert.equal(set.localName, 'local');
    assert.equal(set.clusters[0]?.state, state);
    assert.deepEqual(
      set.clusters.map(({ name, ratio, adminState, rank, unreadable }) => ({ name, ratio, adminState, rank, unreadable })),
      [{ name: 'local', ratio: 1, adminState: 'enable', rank: 0, unreadable: undefined }],
    );
  });
});
