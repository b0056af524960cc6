import assert from 'node:assert/strict';
import { closestName, editDistance, typoBudget } from './closest-name.js';

describe('editDistance', () => {
  const cases: Array<[string, string, number]> = [
    ['', '', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['host', 'host', 0],
    ['loadBalancingMetod', 'loadBalancingMethod', 1],
    ['servicePortt', 'servicePort', 1],
    ['hsot', 'host', 1],
    ['nmae', 'name', 1],
    ['kitten', 'sitting', 3],
    ['abc', 'cab', 2],
    ['pools', 'pool', 1],
  ];
  for (const [a, b, expected] of cases) {
    it(`"${a}" → "${b}": ${expected}, either way round`, () => {
      assert.equal(editDistance(a, b), expected);
      assert.equal(editDistance(b, a), expected);
    });
  }
});

describe('typoBudget', () => {
  const cases: Array<[number, number]> = [
    [1, 0],
    [2, 0],
    [3, 1],
    [7, 1],
    [8, 2],
    [12, 3],
    [40, 3],
  ];
  for (const [length, budget] of cases)
    it(`a name of ${length} characters allows ${budget} edit(s)`, () => assert.equal(typoBudget(length), budget));
});

describe('closestName', () => {
  const pool = ['service', 'servicePort', 'serviceNamespace', 'loadBalancingMethod', 'path', 'name', 'monitor', 'monitors'];
  const cases: Array<[string, string, string[], string | undefined]> = [
    ['a dropped letter', 'loadBalancingMetod', pool, 'loadBalancingMethod'],
    ['swapped neighbours', 'sevrice', pool, 'service'],
    ['letter case only', 'serviceport', pool, 'servicePort'],
    ['letter case of a short name', 'ts', ['TS', 'vs'], 'TS'],
    ['the nearest of several', 'monitr', pool, 'monitor'],
    ['too different to be a typo', 'weight', pool, undefined],
    ['too short to guess', 'pa', pool, undefined],
    ['a known name is no suggestion', 'path', pool, undefined],
    ['no candidates', 'path', [], undefined],
    ['ties go to the alphabetically first', 'pat', ['pit', 'pan', 'path'], 'pan'],
    ['kinds: Virtualserver', 'Virtualserver', ['VirtualServer', 'TransportServer'], 'VirtualServer'],
  ];
  for (const [what, name, candidates, expected] of cases) {
    it(`${what}: ${name} → ${String(expected)}`, () => assert.equal(closestName(name, candidates), expected));
  }
});
