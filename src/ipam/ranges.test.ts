import assert from 'node:assert/strict';
import { addressValue, formatAddress, parseRange, parseRanges } from './ranges.js';
import type { AddressRange } from './ranges.js';

/** The range as [family, first, last] in canonical text, easy to read in a table. */
function ends(range: AddressRange | string): [number, string, string] | string {
  if (typeof range === 'string') return range;
  return [range.family, formatAddress(range.family, range.first), formatAddress(range.family, range.last)];
}

describe('parseRange', () => {
  const valid: Array<[string, [number, string, string]]> = [
    ['10.1.1.10-10.1.1.60', [4, '10.1.1.10', '10.1.1.60']],
    [' 10.1.1.10 - 10.1.1.60 ', [4, '10.1.1.10', '10.1.1.60']],
    ['10.1.1.10-10.1.1.10', [4, '10.1.1.10', '10.1.1.10']],
    ['10.1.1.0/24', [4, '10.1.1.1', '10.1.1.254']],
    ['10.1.1.0/30', [4, '10.1.1.1', '10.1.1.2']],
    ['10.1.1.0/31', [4, '10.1.1.0', '10.1.1.1']],
    ['10.1.1.7/32', [4, '10.1.1.7', '10.1.1.7']],
    ['10.0.0.0/8', [4, '10.0.0.1', '10.255.255.254']],
    ['10.1.1.9', [4, '10.1.1.9', '10.1.1.9']],
    ['2001:db8::10-2001:db8::ff', [6, '2001:db8::10', '2001:db8::ff']],
    ['2001:db8::/120', [6, '2001:db8::1', '2001:db8::ff']],
    ['2001:DB8::/126', [6, '2001:db8::1', '2001:db8::3']],
    ['2001:db8::/127', [6, '2001:db8::', '2001:db8::1']],
    ['2001:db8::5/128', [6, '2001:db8::5', '2001:db8::5']],
    ['2001:db8::/64', [6, '2001:db8::1', '2001:db8::ffff:ffff:ffff:ffff']],
    ['fd00::7', [6, 'fd00::7', 'fd00::7']],
  ];
  for (const [text, expected] of valid) {
    it(`reads ${JSON.stringify(text)}`, () => assert.deepEqual(ends(parseRange(text)), expected));
  }

  it('keeps the text as written (trimmed) for messages', () => {
    assert.equal((parseRange(' 10.1.1.0/24 ') as AddressRange).text, '10.1.1.0/24');
  });

  const invalid: Array<[string, RegExp]> = [
    ['', /^"" is not an address, a range/],
    ['10.1.1', /"10.1.1" is not an address, a range \(first-last\) or a subnet/],
    ['host.example.com', /"host.example.com" is not an address/],
    ['10.1.1.10-10.1.1.300', /"10.1.1.10-10.1.1.300": "10.1.1.300" is not an IP address/],
    ['10.1.1.10-2001:db8::1', /different families \(IPv4 and IPv6\)/],
    ['10.1.1.60-10.1.1.10', /"10.1.1.60-10.1.1.10": the first address is after the last/],
    ['2001:db8::ff-2001:db8::10', /first address is after the last/],
    ['10.1.1.10%2-10.1.1.20%2', /route domains \(%N\) are not allowed/],
    ['10.1.1.10%2', /"10.1.1.10%2": route domains/],
    ['10.1.1.0/33', /"10.1.1.0\/33": the prefix length must be 0-32 for IPv4/],
    ['2001:db8::/129', /prefix length must be 0-128 for IPv6/],
    ['10.1.1.0/abc', /prefix length/],
    ['10.1.1.5/24', /"10.1.1.5\/24": host bits are set \(the subnet is 10.1.1.0\/24\)/],
    ['10.1.1.0/24/8', /is not an address, a range/],
    ['10.1.1.1-10.1.1.2-10.1.1.3', /is not an address, a range/],
    ['10.1.1.0/24-10.1.2.0/24', /"10.1.1.0\/24" is not an IP address/],
  ];
  for (const [text, message] of invalid) {
    it(`rejects ${JSON.stringify(text)} with a message naming it`, () => {
      const result = parseRange(text);
      assert.equal(typeof result, 'string', `accepted: ${JSON.stringify(ends(result))}`);
      assert.match(result as string, message);
    });
  }
});

describe('formatAddress (RFC 5952)', () => {
  const cases: Array<[string, string]> = [
    ['10.1.1.10', '10.1.1.10'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // tie: the first run is compressed
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run wins
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group stays
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['2001:db8::a:0:0', '2001:db8::a:0:0'],
    ['::ffff:10.0.0.1', '10.0.0.1'], // IPv4-mapped is the IPv4 address (lib/ip.ts)
    ['::FFFF:0a00:0001', '10.0.0.1'],
    ['64:ff9b::10.0.0.1', '64:ff9b::a00:1'], // other embedded IPv4 stays IPv6
  ];
  for (const [input, canonical] of cases) {
    it(`${input} → ${canonical}`, () => {
      const parsed = addressValue(input);
      assert.ok(parsed);
      assert.equal(formatAddress(parsed.family, parsed.value), canonical);
    });
  }
});

describe('addressValue', () => {
  it('gives family and numeric value', () => {
    assert.deepEqual(addressValue('10.0.1.2'), { family: 4, value: 0x0a000102n });
    assert.deepEqual(addressValue('::2'), { family: 6, value: 2n });
  });
  it('refuses route domains and non-addresses', () => {
    assert.equal(addressValue('10.0.0.1%2'), undefined);
    assert.equal(addressValue('app.example.com'), undefined);
  });
});

describe('parseRanges', () => {
  it('parses every label in config order and reports each bad range with its path', () => {
    const { ranges, errors } = parseRanges({
      prod: ['10.1.1.10-10.1.1.20', '10.1.2.0/30'],
      dev: ['10.2.0.1-10.2.0.0', '10.2.0.5'],
      v6: ['2001:db8::/120'],
    });
    assert.deepEqual([...ranges.keys()], ['prod', 'dev', 'v6']);
    assert.deepEqual(ranges.get('prod')?.map(ends), [
      [4, '10.1.1.10', '10.1.1.20'],
      [4, '10.1.2.1', '10.1.2.2'],
    ]);
    assert.deepEqual(ranges.get('dev')?.map(ends), [[4, '10.2.0.5', '10.2.0.5']]);
    assert.deepEqual(errors, ['ipam.ranges.dev[0]: "10.2.0.1-10.2.0.0": the first address is after the last']);
  });

  it('refuses a second family inside one label (one key gets one address)', () => {
    const { ranges, errors } = parseRanges({ mixed: ['10.1.1.0/24', '2001:db8::/120'] });
    assert.equal(ranges.get('mixed')?.length, 1);
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /^ipam\.ranges\.mixed\[1\]: "2001:db8::\/120" is IPv6 but the label's first range is IPv4/);
  });

  it('reports a label without ranges and non-string entries', () => {
    const { ranges, errors } = parseRanges({ empty: [], odd: [42 as unknown as string] });
    assert.deepEqual(ranges.get('empty'), []);
    assert.deepEqual(ranges.get('odd'), []);
    assert.deepEqual(errors, ['ipam.ranges.empty: a label needs a list of one or more ranges', 'ipam.ranges.odd[0]: 42 is not a string']);
  });
});
