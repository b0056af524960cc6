import assert from 'node:assert/strict';
import { parseLabelSelector } from './label-selector.js';

describe('parseLabelSelector', () => {
  const cases: Array<[string, Record<string, string> | undefined, boolean]> = [
    ['f5cr in (true)', { f5cr: 'true' }, true],
    ['f5cr in (true)', { f5cr: 'false' }, false],
    ['f5cr in (true)', undefined, false],
    ['f5cr=true', { f5cr: 'true' }, true],
    ['f5cr==true', { f5cr: 'true' }, true],
    ['env!=test', {}, true],
    ['env!=test', { env: 'test' }, false],
    ['tier notin (db, cache)', { tier: 'web' }, true],
    ['tier notin (db, cache)', { tier: 'cache' }, false],
    ['node-role.kubernetes.io/worker', { 'node-role.kubernetes.io/worker': '' }, true],
    ['!legacy', { legacy: 'yes' }, false],
    ['!legacy', {}, true],
    ['f5cr in (true),env!=test', { f5cr: 'true', env: 'prod' }, true],
    ['f5cr in (true),env!=test', { f5cr: 'true', env: 'test' }, false],
    ['', { anything: 'x' }, true],
  ];
  for (const [source, labels, expected] of cases) {
    it(`"${source}" ${expected ? 'selects' : 'rejects'} ${JSON.stringify(labels)}`, () => {
      const selector = parseLabelSelector(source);
      assert.ok(!('error' in selector));
      assert.equal(selector.matches(labels), expected);
    });
  }

  for (const bad of ['f5cr in (tr ue)', 'a b c', '=value', 'key=bad value', '-bad-key=1']) {
    it(`reports a syntax error for "${bad}"`, () => {
      const selector = parseLabelSelector(bad);
      assert.ok('error' in selector, `expected an error for "${bad}"`);
      assert.match(selector.error, new RegExp(bad.replace(/[()]/g, '\\$&')));
    });
  }
});
