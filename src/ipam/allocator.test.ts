import assert from 'node:assert/strict';
import { allocate, commitReleases, emptyIpamState, usage } from './allocator.js';
import type { IpamOutcome, IpamRequest, IpamResult, IpamState } from './allocator.js';
import { parseRanges } from './ranges.js';
import type { AddressRange } from './ranges.js';
import { parseIpamState } from './store.js';
import { shuffled } from '../../test/support/seeded-random.js';

const { ranges } = parseRanges({
  prod: ['10.1.1.10-10.1.1.14'],
  dev: ['10.2.0.0/30'],
  // Overlaps prod on 10.1.1.12-10.1.1.14.
  shared: ['10.1.1.12-10.1.1.16'],
  tiny: ['10.3.0.1'],
  v6: ['2001:db8::/126', '2001:db8::10-2001:db8::11'],
  big: ['10.128.0.0/16'],
});

const req = (key: string, label: string, address?: string): IpamRequest =>
  address === undefined ? { key, label } : { key, label, address };

function addressesOf(result: IpamResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, outcome] of result.outcomes) out[key] = 'address' in outcome ? outcome.address : `error: ${outcome.error}`;
  return out;
}

function errorOf(outcome: IpamOutcome | undefined): string {
  assert.ok(outcome && 'error' in outcome, `expected an error, got ${JSON.stringify(outcome)}`);
  return outcome.error;
}

function state(allocations: Record<string, [string, string]>, releasing: Record<string, [string, string]> = {}): IpamState {
  const toRecord = (entries: Record<string, [string, string]>): IpamState['allocations'] =>
    Object.fromEntries(Object.entries(entries).map(([key, [label, address]]) => [key, { label, address }]));
  return { allocations: toRecord(allocations), releasing: toRecord(releasing) };
}

describe('allocate', () => {
  it('gives new keys the lowest free addresses of their label, in sorted key order', () => {
    const result = allocate(emptyIpamState(), [req('c', 'prod'), req('a', 'prod'), req('b', 'dev')], ranges);
    assert.deepEqual(addressesOf(result), { a: '10.1.1.10', b: '10.2.0.1', c: '10.1.1.11' });
    assert.equal(result.changed, true);
    assert.deepEqual(result.state, state({ a: ['prod', '10.1.1.10'], b: ['dev', '10.2.0.1'], c: ['prod', '10.1.1.11'] }));
  });

  it('skips taken addresses and fills gaps', () => {
    const previous = state({ x: ['prod', '10.1.1.10'], z: ['prod', '10.1.1.12'] });
    const result = allocate(previous, [req('x', 'prod'), req('z', 'prod'), req('n1', 'prod'), req('n2', 'prod')], ranges);
    assert.deepEqual(addressesOf(result), { n1: '10.1.1.11', n2: '10.1.1.13', x: '10.1.1.10', z: '10.1.1.12' });
  });

  it('gives requests sharing a key one address and one outcome', () => {
    const result = allocate(
      emptyIpamState(),
      [req('ns/app.example.com_host', 'prod'), req('ns/app.example.com_host', 'prod'), req('other', 'prod')],
      ranges,
    );
    assert.deepEqual(addressesOf(result), { 'ns/app.example.com_host': '10.1.1.10', other: '10.1.1.11' });
    assert.equal(Object.keys(result.state.allocations).length, 2);
  });

  it('refuses a key asked for with two labels, naming both, and keeps its address', () => {
    const previous = state({ k: ['prod', '10.1.1.10'] });
    const result = allocate(previous, [req('k', 'prod'), req('k', 'dev')], ranges);
    assert.match(errorOf(result.outcomes.get('k')), /IPAM key "k" is asked for with different labels \(dev, prod\)/);
    assert.deepEqual(result.state, previous);
    assert.equal(result.changed, false);
  });

  it('refuses a key asked for with two different specific addresses', () => {
    const result = allocate(emptyIpamState(), [req('k', 'prod', '10.1.1.10'), req('k', 'prod', '10.1.1.11')], ranges);
    assert.match(errorOf(result.outcomes.get('k')), /different addresses \(10\.1\.1\.10, 10\.1\.1\.11\)/);
  });

  describe('a specific address', () => {
    it('is reserved when free and in range, before new keys take the lowest addresses', () => {
      const result = allocate(emptyIpamState(), [req('a', 'prod'), req('b', 'prod', '10.1.1.10'), req('c', 'prod', ' 10.1.1.13 ')], ranges);
      assert.deepEqual(addressesOf(result), { a: '10.1.1.11', b: '10.1.1.10', c: '10.1.1.13' });
    });

    it('keeps a key on its address when it asks for the address it has', () => {
      const previous = state({ b: ['prod', '10.1.1.12'] });
      const result = allocate(previous, [req('b', 'prod', '10.1.1.12')], ranges);
      assert.deepEqual(addressesOf(result), { b: '10.1.1.12' });
      assert.equal(result.changed, false);
    });

    it('held by another key is an error naming the holder, and the holder keeps it', () => {
      const previous = state({ 'ns/first_ts': ['prod', '10.1.1.10'] });
      const result = allocate(previous, [req('ns/first_ts', 'prod'), req('ns/second_ts', 'prod', '10.1.1.10')], ranges);
      assert.equal(errorOf(result.outcomes.get('ns/second_ts')), 'address 10.1.1.10 is already allocated to IPAM key "ns/first_ts"');
      assert.deepEqual(result.state, previous);
    });

    it('still being released is an error naming the key that released it', () => {
      const previous = state({}, { 'ns/gone_svc': ['prod', '10.1.1.10'] });
      const result = allocate(previous, [req('new', 'prod', '10.1.1.10')], ranges);
      assert.match(errorOf(result.outcomes.get('new')), /address 10\.1\.1\.10 is still being released by IPAM key "ns\/gone_svc"/);
    });

    it('asked by two new keys goes to the first in key order; the other gets an error', () => {
      const result = allocate(emptyIpamState(), [req('z', 'prod', '10.1.1.14'), req('y', 'prod', '10.1.1.14')], ranges);
      assert.equal(addressesOf(result)['y'], '10.1.1.14');
      assert.match(errorOf(result.outcomes.get('z')), /already allocated to IPAM key "y"/);
    });

    const outside: Array<[string, string, RegExp]> = [
      ['outside the label', '10.1.1.20', /^address 10\.1\.1\.20 is not in the ranges of IPAM label "prod" \(10\.1\.1\.10-10\.1\.1\.14\)$/],
      ['of the other family', '2001:db8::1', /address 2001:db8::1 is not in the ranges of IPAM label "prod"/],
      ['not an address', '10.1.1.x', /"10\.1\.1\.x" is not an IP address/],
      ['with a route domain', '10.1.1.11%2', /"10\.1\.1\.11%2" is not an IP address \(route domains are not allowed here\)/],
    ];
    for (const [title, address, message] of outside) {
      it(`${title} is an error`, () => {
        const result = allocate(emptyIpamState(), [req('k', 'prod', address), req('other', 'prod')], ranges);
        assert.match(errorOf(result.outcomes.get('k')), message);
        assert.deepEqual(addressesOf(result)['other'], '10.1.1.10');
      });
    }

    it('moves a key off its old address, which is released', () => {
      const previous = state({ k: ['prod', '10.1.1.10'] });
      const result = allocate(previous, [req('k', 'prod', '10.1.1.13')], ranges);
      assert.deepEqual(result.state, state({ k: ['prod', '10.1.1.13'] }, { k: ['prod', '10.1.1.10'] }));
    });

    it('is written canonically (IPv6 compressed, lower case)', () => {
      const result = allocate(emptyIpamState(), [req('k', 'v6', '2001:DB8:0:0:0:0:0:11')], ranges);
      assert.deepEqual(addressesOf(result), { k: '2001:db8::11' });
    });
  });

  describe('a live address is never moved by IPAM itself', () => {
    const reallocate = { reallocate: true };
    const broken = new Map([...ranges, ['broken', parseRanges({ broken: ['10.0.0.9-10.0.0.1'] }).ranges.get('broken') ?? []]]);
    const howToMove =
      /IPAM never moves a live address by itself\. To move it, delete "k" from the IPAM allocations \(the --ipam-state file, or the IPAMAllocation object of kube-as3 run\), or set ipam\.reallocate: true in the config$/;
    // title, stored allocation of k, the label k now asks for, ranges, the reason in the warning
    const kept: Array<[string, [string, string], string, Map<string, AddressRange[]>, RegExp]> = [
      [
        'the label changed',
        ['prod', '10.1.1.10'],
        'dev',
        ranges,
        /^keeps address 10\.1\.1\.10 although it was allocated under IPAM label "prod" and the resource now asks for label "dev": /,
      ],
      [
        'the label changed to an exhausted one',
        ['prod', '10.1.1.10'],
        'tiny',
        ranges,
        /although it was allocated under IPAM label "prod" and the resource now asks for label "tiny"/,
      ],
      [
        'the label changed to an unknown one',
        ['prod', '10.1.1.10'],
        'prd',
        ranges,
        /although it was allocated under IPAM label "prod" and the resource now asks for label "prd"/,
      ],
      [
        'the ranges shrank',
        ['prod', '10.1.1.99'],
        'prod',
        ranges,
        /^keeps address 10\.1\.1\.99 although it is outside the ranges of IPAM label "prod" \(10\.1\.1\.10-10\.1\.1\.14\): /,
      ],
      [
        'the label now holds the other family',
        ['v6', '10.1.1.99'],
        'v6',
        ranges,
        /although it is outside the ranges of IPAM label "v6" \(2001:db8::\/126, 2001:db8::10-2001:db8::11\)/,
      ],
      [
        'the label was removed from the config',
        ['gone', '10.9.9.9'],
        'gone',
        ranges,
        /^keeps address 10\.9\.9\.9 although IPAM label "gone" is no longer in ipam\.ranges: /,
      ],
      [
        'the label has no valid range left',
        ['broken', '10.0.0.5'],
        'broken',
        broken,
        /although IPAM label "broken" has no valid range in ipam\.ranges: /,
      ],
    ];
    for (const [title, [label, address], asked, labelRanges, reason] of kept) {
      it(`keeps the address, with a warning, when ${title}`, () => {
        const previous = state({ holder: ['tiny', '10.3.0.1'], k: [label, address] });
        const result = allocate(previous, [req('holder', 'tiny'), req('k', asked)], labelRanges);
        const outcome = result.outcomes.get('k');
        assert.ok(outcome && 'address' in outcome, JSON.stringify(outcome));
        assert.equal(outcome.address, address);
        assert.match(outcome.warning ?? '', reason);
        assert.match(outcome.warning ?? '', howToMove);
        assert.deepEqual(result.state, previous);
        assert.equal(result.changed, false);
      });
    }

    it('gives no warning to a key that keeps its address normally', () => {
      const result = allocate(state({ k: ['prod', '10.1.1.10'] }), [req('k', 'prod')], ranges);
      assert.deepEqual(result.outcomes.get('k'), { address: '10.1.1.10' });
    });

    it('keeps a label that changes back and forth on one address, and the address stays taken', () => {
      const previous = state({ k: ['prod', '10.1.1.10'] });
      const away = allocate(previous, [req('k', 'dev'), req('new', 'prod')], ranges);
      assert.equal(addressesOf(away)['k'], '10.1.1.10');
      assert.equal(addressesOf(away)['new'], '10.1.1.11', 'the kept address is not handed out');
      const back = allocate(away.state, [req('k', 'prod'), req('new', 'prod')], ranges);
      assert.deepEqual(back.outcomes.get('k'), { address: '10.1.1.10' });
      assert.deepEqual(back.state, state({ k: ['prod', '10.1.1.10'], new: ['prod', '10.1.1.11'] }));
      assert.equal(back.changed, false);
    });

    it('moves nothing when the new label also holds the address (overlapping labels): the key changes label', () => {
      const result = allocate(state({ k: ['prod', '10.1.1.12'] }), [req('k', 'shared')], ranges);
      assert.deepEqual(result.outcomes.get('k'), { address: '10.1.1.12' });
      assert.deepEqual(result.state, state({ k: ['shared', '10.1.1.12'] }));
    });

    it('moves a key that asks for a specific address of its new label (the user moved it)', () => {
      const result = allocate(state({ k: ['prod', '10.1.1.10'] }), [req('k', 'dev', '10.2.0.2')], ranges);
      assert.deepEqual(result.outcomes.get('k'), { address: '10.2.0.2' });
      assert.deepEqual(result.state, state({ k: ['dev', '10.2.0.2'] }, { k: ['prod', '10.1.1.10'] }));
    });

    describe('with ipam.reallocate', () => {
      it('moves a key whose label changed: the old address to releasing, a new one from the new label', () => {
        const previous = state({ k: ['prod', '10.1.1.10'] });
        const result = allocate(previous, [req('k', 'dev')], ranges, reallocate);
        assert.deepEqual(result.state, state({ k: ['dev', '10.2.0.1'] }, { k: ['prod', '10.1.1.10'] }));
        assert.deepEqual(result.outcomes.get('k'), { address: '10.2.0.1' });
      });

      it('keeps every address of a key that changed label twice before an apply, until commitReleases', () => {
        const first = allocate(state({ k: ['prod', '10.1.1.10'] }), [req('k', 'dev')], ranges, reallocate);
        const second = allocate(first.state, [req('k', 'tiny')], ranges, reallocate);
        assert.deepEqual(second.state, state({ k: ['tiny', '10.3.0.1'] }, { k: ['prod', '10.1.1.10'], 'k#10.2.0.1': ['dev', '10.2.0.1'] }));
        const third = allocate(second.state, [req('other', 'prod'), req('k', 'tiny')], ranges, reallocate);
        assert.deepEqual(addressesOf(third), { k: '10.3.0.1', other: '10.1.1.11' });
        assert.deepEqual(commitReleases(third.state).releasing, {});
      });

      it('moves a key whose address left its label ranges (the config shrank)', () => {
        const result = allocate(state({ k: ['prod', '10.1.1.99'] }), [req('k', 'prod')], ranges, reallocate);
        assert.deepEqual(result.state, state({ k: ['prod', '10.1.1.10'] }, { k: ['prod', '10.1.1.99'] }));
      });

      it('keeps the old address of a key whose new label is exhausted, and the error is on that key only', () => {
        const previous = state({ holder: ['tiny', '10.3.0.1'], k: ['prod', '10.1.1.10'] });
        const result = allocate(previous, [req('holder', 'tiny'), req('k', 'tiny')], ranges, reallocate);
        assert.match(errorOf(result.outcomes.get('k')), /no free address left in IPAM label "tiny"/);
        assert.deepEqual(result.outcomes.get('holder'), { address: '10.3.0.1' });
        assert.deepEqual(result.state, previous);
      });
    });
  });

  describe('releasing', () => {
    const previous = state({ gone: ['prod', '10.1.1.10'], stays: ['prod', '10.1.1.11'] });

    it('moves keys nobody asks for to releasing and does not reuse them in the same call', () => {
      const result = allocate(previous, [req('stays', 'prod'), req('new', 'prod')], ranges);
      assert.deepEqual(result.state, state({ new: ['prod', '10.1.1.12'], stays: ['prod', '10.1.1.11'] }, { gone: ['prod', '10.1.1.10'] }));
    });

    it('does not reuse them in the next call either, only after commitReleases', () => {
      const first = allocate(previous, [req('stays', 'prod')], ranges);
      const second = allocate(first.state, [req('stays', 'prod'), req('new', 'prod')], ranges);
      assert.equal(addressesOf(second)['new'], '10.1.1.12');
      assert.deepEqual(Object.keys(second.state.releasing), ['gone']);
      const committed = commitReleases(first.state);
      assert.deepEqual(committed, state({ stays: ['prod', '10.1.1.11'] }));
      const third = allocate(committed, [req('stays', 'prod'), req('new', 'prod')], ranges);
      assert.equal(addressesOf(third)['new'], '10.1.1.10');
    });

    it('gives a key asked for again before the commit its old address back', () => {
      const first = allocate(previous, [req('stays', 'prod')], ranges);
      const again = allocate(first.state, [req('new', 'prod'), req('gone', 'prod'), req('stays', 'prod')], ranges);
      assert.deepEqual(again.state, state({ gone: ['prod', '10.1.1.10'], new: ['prod', '10.1.1.12'], stays: ['prod', '10.1.1.11'] }));
    });

    it('commitReleases can be limited to the releases that were applied', () => {
      const current = state({}, { a: ['prod', '10.1.1.10'], b: ['prod', '10.1.1.11'] });
      const applied = state({}, { a: ['prod', '10.1.1.10'] }).releasing;
      assert.deepEqual(commitReleases(current, applied).releasing, { b: { label: 'prod', address: '10.1.1.11' } });
    });
  });

  it('reports an exhausted label on that key only; the others still allocate', () => {
    const previous = state({ holder: ['tiny', '10.3.0.1'] });
    const result = allocate(previous, [req('holder', 'tiny'), req('late', 'tiny'), req('fine', 'dev')], ranges);
    assert.equal(
      errorOf(result.outcomes.get('late')),
      'no free address left in IPAM label "tiny" (ranges 10.3.0.1: 1 address, all allocated)',
    );
    assert.deepEqual(addressesOf(result)['fine'], '10.2.0.1');
    const full = allocate(
      emptyIpamState(),
      ['a', 'b', 'c'].map((k) => req(k, 'dev')),
      ranges,
    );
    assert.equal(
      errorOf(full.outcomes.get('c')),
      'no free address left in IPAM label "dev" (ranges 10.2.0.0/30: 2 addresses, all allocated)',
    );
  });

  it('refuses an unknown label, listing the configured ones', () => {
    const result = allocate(emptyIpamState(), [req('k', 'staging')], ranges);
    assert.equal(
      errorOf(result.outcomes.get('k')),
      'IPAM label "staging" is not configured (ipam.ranges has: big, dev, prod, shared, tiny, v6)',
    );
    const none = allocate(emptyIpamState(), [req('k', 'prod')], new Map());
    assert.equal(errorOf(none.outcomes.get('k')), 'IPAM label "prod" is not configured (ipam.ranges is empty)');
  });

  it('refuses a configured label whose ranges were all invalid', () => {
    const broken = parseRanges({ broken: ['10.0.0.9-10.0.0.1'] }).ranges;
    assert.match(
      errorOf(allocate(emptyIpamState(), [req('k', 'broken')], broken).outcomes.get('k')),
      /IPAM label "broken" has no valid range/,
    );
  });

  it('gives the same state whatever the order of the requests', () => {
    const previous = state({ keep: ['prod', '10.1.1.12'] }, { old: ['shared', '10.1.1.15'] });
    const requests = [
      req('keep', 'prod'),
      ...['a', 'b', 'c', 'd'].map((k) => req(k, 'shared')),
      req('e', 'prod'),
      req('f', 'prod', '10.1.1.14'),
      req('g', 'v6'),
      req('h', 'v6'),
      req('i', 'dev'),
      req('a', 'shared'),
      req('x', 'nope'),
    ];
    const reference = allocate(previous, requests, ranges);
    for (let seed = 1; seed <= 20; seed++) {
      const result = allocate(previous, shuffled(requests, seed), ranges);
      assert.equal(JSON.stringify(result.state), JSON.stringify(reference.state), `seed ${seed}`);
      assert.deepEqual([...result.outcomes], [...reference.outcomes], `seed ${seed}`);
    }
  });

  it('never gives one address to two keys of overlapping labels', () => {
    const requests = [...['p1', 'p2', 'p3', 'p4'].map((k) => req(k, 'prod')), ...['s1', 's2', 's3', 's4'].map((k) => req(k, 'shared'))];
    const result = allocate(emptyIpamState(), requests, ranges);
    const addresses = Object.values(result.state.allocations).map((a) => a.address);
    assert.equal(new Set(addresses).size, addresses.length);
    assert.deepEqual(addressesOf(result), {
      p1: '10.1.1.10',
      p2: '10.1.1.11',
      p3: '10.1.1.12',
      p4: '10.1.1.13',
      s1: '10.1.1.14',
      s2: '10.1.1.15',
      s3: '10.1.1.16',
      s4: 'error: no free address left in IPAM label "shared" (ranges 10.1.1.12-10.1.1.16: 5 addresses, all allocated)',
    });
  });

  it('allocates IPv6 addresses across the label ranges in ascending order, skipping the subnet-router anycast', () => {
    const result = allocate(
      emptyIpamState(),
      ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => req(k, 'v6')),
      ranges,
    );
    assert.deepEqual(addressesOf(result), {
      a: '2001:db8::1',
      b: '2001:db8::2',
      c: '2001:db8::3',
      d: '2001:db8::10',
      e: '2001:db8::11',
      f: 'error: no free address left in IPAM label "v6" (ranges 2001:db8::/126, 2001:db8::10-2001:db8::11: 5 addresses, all allocated)',
    });
  });

  it('gives the same addresses after a restart (state through JSON) and reports no change', () => {
    const requests = [req('a', 'prod'), req('b', 'v6'), req('c', 'prod', '10.1.1.14'), req('d', 'dev')];
    const first = allocate(emptyIpamState(), requests, ranges);
    const restored = parseIpamState(JSON.parse(JSON.stringify(first.state)));
    assert.ok(typeof restored !== 'string', String(restored));
    const second = allocate(restored, shuffled(requests, 7), ranges);
    assert.deepEqual(addressesOf(second), addressesOf(first));
    assert.equal(second.changed, false);
    assert.deepEqual(second.state, first.state);
  });

  it('does not modify the state it was given', () => {
    const previous = state({ gone: ['prod', '10.1.1.10'], k: ['prod', '10.1.1.11'] });
    const copy = structuredClone(previous);
    allocate(previous, [req('k', 'dev'), req('n', 'prod')], ranges);
    assert.deepEqual(previous, copy);
  });

  it('repairs a stored state that gave one address to two keys: the first key in order keeps it', () => {
    const corrupted = state({ a: ['prod', '10.1.1.10'], b: ['prod', '10.1.1.10'] });
    const result = allocate(corrupted, [req('a', 'prod'), req('b', 'prod')], ranges);
    assert.deepEqual(result.state, state({ a: ['prod', '10.1.1.10'], b: ['prod', '10.1.1.11'] }));
  });

  it('allocates 10,000 requests in one call, each address once', () => {
    const requests = Array.from({ length: 10_000 }, (_, i) => req(`ns/app-${i}.example.com_host`, 'big'));
    const result = allocate(emptyIpamState(), requests, ranges);
    const addresses = new Set(Object.values(result.state.allocations).map((a) => a.address));
    assert.equal(addresses.size, 10_000);
    assert.ok(addresses.has('10.128.0.1') && addresses.has('10.128.39.16'));
    const more = allocate(result.state, [...requests, req('zz-new', 'big')], ranges);
    assert.deepEqual(more.outcomes.get('zz-new'), { address: '10.128.39.17' });
  });
});

describe('usage', () => {
  it('counts allocations per configured label (releasing not counted) with each label capacity', () => {
    const current = state({ a: ['prod', '10.1.1.10'], b: ['prod', '10.1.1.11'], c: ['v6', '2001:db8::1'] }, { d: ['dev', '10.2.0.1'] });
    assert.deepEqual(usage(current, ranges), [
      { label: 'big', allocated: 0, capacity: 65534n },
      { label: 'dev', allocated: 0, capacity: 2n },
      { label: 'prod', allocated: 2, capacity: 5n },
      { label: 'shared', allocated: 0, capacity: 5n },
      { label: 'tiny', allocated: 0, capacity: 1n },
      { label: 'v6', allocated: 1, capacity: 5n },
    ]);
  });

  it('counts overlapping ranges of one label once', () => {
    const overlapping = parseRanges({ l: ['10.0.0.1-10.0.0.10', '10.0.0.5-10.0.0.20', '10.0.0.21'] }).ranges;
    assert.deepEqual(usage(emptyIpamState(), overlapping), [{ label: 'l', allocated: 0, capacity: 21n }]);
  });
});
