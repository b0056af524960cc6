import assert from 'node:assert/strict';
import { addressSortKey, canonicalAddress, compareAddresses, parseAddress } from './ip.js';

describe('parseAddress', () => {
  const valid: Array<[string, 4 | 6, number | undefined]> = [
    ['10.1.1.10', 4, undefined],
    ['10.1.1.10%2', 4, 2],
    ['0.0.0.0', 4, undefined],
    ['2001:db8::1', 6, undefined],
    ['::', 6, undefined],
    ['::ffff:10.0.0.1', 4, undefined],
    ['64:ff9b::10.0.0.1', 6, undefined],
    ['fd00:10:244::a%10', 6, 10],
    ['1:2:3:4:5:6:7:8', 6, undefined],
  ];
  for (const [text, family, rd] of valid) {
    it(`accepts ${text}`, () => {
      const parsed = parseAddress(text);
      assert.ok(parsed, text);
      assert.equal(parsed.family, family);
      assert.equal(parsed.routeDomain, rd);
      assert.equal(parsed.bytes.length, family === 4 ? 4 : 16);
    });
  }
  for (const text of ['10.1.1.300', '10.1.1', '01.1.1.1', '1:2:3:4:5:6:7:8:9', '1::2::3', 'host.example.com', '10.0.0.1%70000', '']) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.equal(parseAddress(text), undefined));
  }
  it('reads embedded IPv4 into the last 32 bits', () => {
    assert.deepEqual(parseAddress('64:ff9b::10.0.0.1')?.bytes.slice(12), [10, 0, 0, 1]);
  });
  it('reads an IPv4-mapped address as the IPv4 address, as the BIG-IP does', () => {
    assert.deepEqual(parseAddress('::ffff:10.0.0.1'), { family: 4, bytes: [10, 0, 0, 1] });
    assert.deepEqual(parseAddress('::ffff:a00:1%3'), { family: 4, bytes: [10, 0, 0, 1], routeDomain: 3 });
  });
});

describe('canonicalAddress (RFC 5952)', () => {
  const cases: Array<[input: string, canonical: string | undefined]> = [
    ['2001:DB8:0:0::11', '2001:db8::11'],
    ['2001:db8::11', '2001:db8::11'],
    ['2001:0db8:0000:0000:0000:0000:0000:0011', '2001:db8::11'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // equal runs: the first is compressed
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run wins
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // one zero group is not compressed
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['FE80:0:0:0:0:0:0:0', 'fe80::'],
    ['2001:DB8::11%2', '2001:db8::11%2'],
    ['2001:db8::11%002', '2001:db8::11%2'],
    ['::ffff:10.1.1.1', '10.1.1.1'], // IPv4-mapped: the IPv4 address
    ['::FFFF:0A01:0101', '10.1.1.1'],
    ['::ffff:10.1.1.1%4', '10.1.1.1%4'],
    ['::10.1.1.1', '::a01:101'], // IPv4-compatible (deprecated) is not mapped: stays IPv6
    ['64:ff9b::10.1.1.1', '64:ff9b::a01:101'],
    ['10.1.1.1', '10.1.1.1'],
    ['10.1.1.1%0', '10.1.1.1%0'],
    ['2001:db8::g', undefined],
    ['10.1.1', undefined],
  ];
  for (const [input, canonical] of cases) {
    it(`${input} → ${canonical ?? 'not an address'}`, () => assert.equal(canonicalAddress(input), canonical));
  }
  it('is stable: the canonical form of a canonical form is itself', () => {
    for (const [, canonical] of cases) if (canonical) assert.equal(canonicalAddress(canonical), canonical);
  });
});

describe('compareAddresses', () => {
  it('orders numerically, IPv4 before IPv6, route domains last', () => {
    const input = ['fd00::2', '10.0.0.10', '10.0.0.9', '10.0.0.9%1', 'fd00::10', '9.255.255.255'];
    assert.deepEqual([...input].sort(compareAddresses), ['9.255.255.255', '10.0.0.9', '10.0.0.9%1', '10.0.0.10', 'fd00::2', 'fd00::10']);
  });
});

describe('addressSortKey', () => {
  /** The key from the parsed form: what the IPv4 fast path must agree with. */
  function slowKey(text: string): string {
    const parsed = parseAddress(text);
    if (!parsed) return `9${text}`;
    const rd = parsed.routeDomain === undefined ? '' : `%${parsed.routeDomain.toString(16).padStart(4, '0')}`;
    return `${parsed.family}${parsed.bytes.map((b) => b.toString(16).padStart(2, '0')).join('')}${rd}`;
  }

  it('gives IPv4 addresses the same key as their parsed form, and rejects what the parser rejects', () => {
    const cases = [
      '0.0.0.0',
      '10.1.0.9',
      '255.255.255.255',
      '172.16.254.1',
      '1.2.3.4%7',
      '256.1.1.1',
      '01.2.3.4',
      '1.2.3',
      '1.2.3.4.5',
      '1..2.3',
      '.1.2.3',
      '1.2.3.',
      '1.2.3.4 ',
      'a.b.c.d',
      '1.2.3.1000',
      '2001:db8::1',
      '::ffff:1.2.3.4',
      '',
    ];
    for (let i = 0; i < 200; i++) cases.push(`${(i * 37) % 256}.${(i * 11) % 256}.${i % 256}.${(i * 101) % 256}`);
    for (const text of cases) assert.equal(addressSortKey(text), slowKey(text), text);
  });

  it('orders addresses numerically, IPv4 before IPv6', () => {
    const sorted = ['10.0.0.10', '2001:db8::1', '10.0.0.9', '9.255.255.255'].sort((a, b) =>
      addressSortKey(a) < addressSortKey(b) ? -1 : 1,
    );
    assert.deepEqual(sorted, ['9.255.255.255', '10.0.0.9', '10.0.0.10', '2001:db8::1']);
  });
});
