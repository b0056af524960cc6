import assert from 'node:assert/strict';
import { compareAddresses, parseAddress } from './ip.js';

describe('parseAddress', () => {
  const valid: Array<[string, 4 | 6, number | undefined]> = [
    ['10.1.1.10', 4, undefined],
    ['10.1.1.10%2', 4, 2],
    ['0.0.0.0', 4, undefined],
    ['2001:db8::1', 6, undefined],
    ['::', 6, undefined],
    ['::ffff:10.0.0.1', 6, undefined],
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
    assert.deepEqual(parseAddress('::ffff:10.0.0.1')?.bytes.slice(12), [10, 0, 0, 1]);
  });
});

describe('compareAddresses', () => {
  it('orders numerically, IPv4 before IPv6, route domains last', () => {
    const input = ['fd00::2', '10.0.0.10', '10.0.0.9', '10.0.0.9%1', 'fd00::10', '9.255.255.255'];
    assert.deepEqual([...input].sort(compareAddresses), ['9.255.255.255', '10.0.0.9', '10.0.0.9%1', '10.0.0.10', 'fd00::2', 'fd00::10']);
  });
});
