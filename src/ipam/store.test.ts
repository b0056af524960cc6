import assert from 'node:assert/strict';
import { allocate, emptyIpamState } from './allocator.js';
import type { IpamRequest, IpamResult, IpamState } from './allocator.js';
import { parseRanges } from './ranges.js';
import { MemoryIpamStore, allocateWithStore, commitReleasesWithStore, parseIpamState } from './store.js';
import type { IpamSaveResult, IpamStore, VersionedIpamState } from './store.js';
import { addressOf, duplicateAddresses } from '../../test/support/ipam-checks.js';
import { seededRandom } from '../../test/support/seeded-random.js';

const { ranges } = parseRanges({
  web: ['10.0.0.1-10.0.0.40'],
  // Overlaps web, so replicas allocating in both labels compete for the same addresses.
  edge: ['10.0.0.5-10.0.0.30'],
  v6: ['2001:db8::/120'],
});

async function yieldTimes(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

describe('MemoryIpamStore', () => {
  it('starts empty and unversioned, and saves only against the version it holds', async () => {
    const store = new MemoryIpamStore();
    assert.deepEqual(await store.load(), { state: emptyIpamState(), version: undefined });
    const state: IpamState = { allocations: { k: { label: 'web', address: '10.0.0.1' } }, releasing: {} };
    const first = await store.save(state, undefined);
    assert.ok(first.ok);
    assert.deepEqual(await store.save(emptyIpamState(), undefined), { ok: false, conflict: true });
    assert.equal(store.conflicts, 1);
    assert.deepEqual(await store.load(), { state, version: first.version });
  });

  it('hands out copies: changing a loaded state changes nothing stored', async () => {
    const store = new MemoryIpamStore({ allocations: { k: { label: 'web', address: '10.0.0.1' } }, releasing: {} });
    const loaded = await store.load();
    assert.notEqual(loaded.version, undefined);
    (loaded.state.allocations['k'] as { address: string }).address = '10.0.0.9';
    assert.equal((await store.load()).state.allocations['k']?.address, '10.0.0.1');
  });
});

describe('allocateWithStore', () => {
  it('stores the allocation, and does not write again when nothing changed', async () => {
    const store = new MemoryIpamStore();
    let saves = 0;
    store.beforeSave = () => {
      saves += 1;
    };
    const requests: IpamRequest[] = [{ key: 'a', label: 'web' }];
    const first = await allocateWithStore(store, requests, ranges);
    assert.equal(addressOf(first, 'a'), '10.0.0.1');
    const second = await allocateWithStore(store, requests, ranges);
    assert.equal(second.changed, false);
    assert.equal(saves, 1);
    assert.deepEqual((await store.load()).state, first.state);
  });

  it('re-allocates on the fresh state when another writer saved first', async () => {
    const store = new MemoryIpamStore();
    const other: IpamRequest[] = [{ key: 'b', label: 'web' }];
    let otherResult: IpamResult | undefined;
    store.beforeSave = async () => {
      if (otherResult) return;
      store.beforeSave = undefined;
      otherResult = await allocateWithStore(store, [...other, { key: 'a', label: 'web' }], ranges);
    };
    // Both replicas see keys a and b; the first one's save loses the race and must not keep its result.
    const mine = await allocateWithStore(store, [{ key: 'a', label: 'web' }, ...other], ranges);
    assert.equal(store.conflicts, 1);
    assert.ok(otherResult);
    assert.deepEqual(mine.state, otherResult.state);
    assert.equal(mine.changed, false);
    assert.deepEqual([addressOf(mine, 'a'), addressOf(mine, 'b')], ['10.0.0.1', '10.0.0.2']);
  });

  it('gives a key a different address than the one the winner gave another key', async () => {
    const store = new MemoryIpamStore();
    store.beforeSave = async () => {
      store.beforeSave = undefined;
      await allocateWithStore(store, [{ key: 'winner', label: 'web' }], ranges);
    };
    const loser = await allocateWithStore(store, [{ key: 'loser', label: 'web' }], ranges);
    const stored = (await store.load()).state;
    assert.equal(addressOf(loser, 'loser'), '10.0.0.2');
    assert.deepEqual(stored.releasing, { winner: { label: 'web', address: '10.0.0.1' } });
    assert.deepEqual(duplicateAddresses(stored), []);
  });

  it('gives up with an Error after maxAttempts conflicts', async () => {
    let attempts = 0;
    const alwaysRacing: IpamStore = {
      load: async (): Promise<VersionedIpamState> => ({ state: emptyIpamState(), version: String(attempts) }),
      save: async (): Promise<IpamSaveResult> => {
        attempts += 1;
        return { ok: false, conflict: true };
      },
    };
    await assert.rejects(
      allocateWithStore(alwaysRacing, [{ key: 'a', label: 'web' }], ranges, 3),
      /lost the race for the stored state 3 times in a row/,
    );
    assert.equal(attempts, 3);
    await assert.rejects(
      commitReleasesWithStore({
        ...alwaysRacing,
        load: async () => ({ state: { allocations: {}, releasing: { x: { label: 'web', address: '10.0.0.1' } } }, version: '1' }),
      }),
      /10 times in a row/,
    );
  });

  describe('two replicas racing on one store (seeded random interleavings)', () => {
    const pool = Array.from({ length: 24 }, (_, i) => `ns/app-${i}_host`);
    const labelOf = (i: number): string => (i % 3 === 0 ? 'edge' : i % 5 === 0 ? 'v6' : 'web');

    function requestSet(random: () => number): IpamRequest[] {
      return pool.filter(() => random() < 0.4).map((key) => ({ key, label: labelOf(pool.indexOf(key)) }));
    }

    async function replica(store: IpamStore, requests: IpamRequest[], delay: number): Promise<IpamResult> {
      await yieldTimes(delay);
      return allocateWithStore(store, requests, ranges, 50);
    }

    let conflicts = 0;
    let cases = 0;
    after(() => {
      assert.equal(cases, 250);
      assert.ok(conflicts > 0, 'the conflict path was never exercised');
    });

    it('never gives one address to two keys, and every request gets an address', async () => {
      for (let seed = 1; seed <= 250; seed++) {
        const random = seededRandom(seed);
        // Some runs start from a state a previous run left behind.
        const initial = random() < 0.5 ? allocate(emptyIpamState(), requestSet(random), ranges).state : undefined;
        const store = new MemoryIpamStore(initial);
        store.beforeSave = () => yieldTimes(Math.floor(random() * 6));
        const setA = requestSet(random);
        const setB = requestSet(random);
        const [a, b] = await Promise.all([replica(store, setA, Math.floor(random() * 4)), replica(store, setB, Math.floor(random() * 4))]);
        cases += 1;
        conflicts += store.conflicts;

        const where = `seed ${seed}`;
        for (const [requests, result] of [
          [setA, a],
          [setB, b],
        ] as const) {
          for (const { key } of requests)
            assert.ok(addressOf(result, key), `${where}: ${key} got ${JSON.stringify(result.outcomes.get(key))}`);
        }
        // Whatever each replica was told, no address went to two keys.
        const holders = new Map<string, string>();
        for (const result of [a, b]) {
          for (const [key, outcome] of result.outcomes) {
            if (!('address' in outcome)) continue;
            const holder = holders.get(outcome.address);
            assert.ok(holder === undefined || holder === key, `${where}: ${outcome.address} given to ${holder} and ${key}`);
            holders.set(outcome.address, key);
          }
        }
        const stored = (await store.load()).state;
        assert.deepEqual(duplicateAddresses(stored), [], where);
        // The last writer's view is what is stored: every key either replica asked for is still held.
        for (const { key } of [...setA, ...setB]) {
          assert.ok(stored.allocations[key] ?? stored.releasing[key], `${where}: ${key} lost its address`);
        }
      }
    });
  });
});

describe('commitReleasesWithStore', () => {
  const withReleases: IpamState = {
    allocations: { a: { label: 'web', address: '10.0.0.1' } },
    releasing: { b: { label: 'web', address: '10.0.0.2' }, c: { label: 'web', address: '10.0.0.3' } },
  };

  it('frees the releasing addresses in the store, and does not write when there are none', async () => {
    const store = new MemoryIpamStore(withReleases);
    const committed = await commitReleasesWithStore(store);
    assert.deepEqual(committed, { allocations: withReleases.allocations, releasing: {} });
    const { version } = await store.load();
    await commitReleasesWithStore(store);
    assert.equal((await store.load()).version, version);
  });

  it('frees only the releases that were applied, re-reading after a conflict', async () => {
    const store = new MemoryIpamStore(withReleases);
    store.beforeSave = async () => {
      store.beforeSave = undefined;
      // Another replica releases a again meanwhile: that release was not applied yet and must stay.
      await allocateWithStore(store, [], ranges);
    };
    const committed = await commitReleasesWithStore(store, 10, { b: { label: 'web', address: '10.0.0.2' } });
    assert.equal(store.conflicts, 1);
    assert.deepEqual(committed.releasing, { a: { label: 'web', address: '10.0.0.1' }, c: { label: 'web', address: '10.0.0.3' } });
    assert.deepEqual((await store.load()).state, committed);
  });
});

describe('parseIpamState', () => {
  it('accepts a stored state and writes addresses canonically', () => {
    assert.deepEqual(
      parseIpamState({
        allocations: { 'ns/a_host': { label: 'web', address: '10.0.0.1' }, 'ns/b_ts': { label: 'v6', address: '2001:DB8:0::1' } },
        releasing: {},
      }),
      {
        allocations: { 'ns/a_host': { label: 'web', address: '10.0.0.1' }, 'ns/b_ts': { label: 'v6', address: '2001:db8::1' } },
        releasing: {},
      },
    );
  });

  it('reads missing maps as empty (a fresh custom resource)', () => {
    assert.deepEqual(parseIpamState({}), emptyIpamState());
  });

  const invalid: Array<[string, unknown, RegExp]> = [
    ['not an object', [], /must be an object with "allocations" and "releasing"/],
    ['null', null, /must be an object/],
    ['allocations as a list', { allocations: [] }, /allocations: must be an object of key → \{label, address\}/],
    ['an entry that is a string', { allocations: { k: '10.0.0.1' } }, /allocations\["k"\]: must be an object \{label, address\}/],
    [
      'a bad address',
      { allocations: { k: { label: 'web', address: '10.0.0.300' } } },
      /allocations\["k"\]\.address: "10\.0\.0\.300" is not an IP address/,
    ],
    ['a route domain', { releasing: { k: { label: 'web', address: '10.0.0.3%2' } } }, /releasing\["k"\]\.address/],
    ['an empty label', { allocations: { k: { label: '', address: '10.0.0.1' } } }, /allocations\["k"\]\.label: must be a non-empty string/],
    ['an unknown field', { allocations: {}, extra: 1 }, /unknown field\(s\) "extra"/],
  ];
  for (const [title, value, message] of invalid) {
    it(`refuses ${title}`, () => {
      const result = parseIpamState(value);
      assert.equal(typeof result, 'string');
      assert.match(result as string, message);
    });
  }
});
