import assert from 'node:assert/strict';
import type { Diagnostic } from './diagnostic.js';
import { namingMisspeltSiblings } from './misspelt-required.js';

const vs = { kind: 'VirtualServer', namespace: 'shop', name: 'web' };
const other = { kind: 'VirtualServer', namespace: 'shop', name: 'api' };

function d(ref: Diagnostic['ref'], severity: Diagnostic['severity'], field: string, message: string): Diagnostic {
  return { ref, severity, field, message };
}

describe('namingMisspeltSiblings', () => {
  const cases: Array<[string, Diagnostic[], string[]]> = [
    [
      'names the misspelt sibling in the required error',
      [
        d(vs, 'warning', 'spec.pools[0].servicePrt', 'unknown field; did you mean servicePort?'),
        d(vs, 'error', 'spec.pools[0].servicePort', 'is required'),
      ],
      ['unknown field; did you mean servicePort?', 'is required (spec.pools[0].servicePrt is set instead: a misspelling of servicePort?)'],
    ],
    [
      'keeps the rest of the required message',
      [d(vs, 'error', 'spec.pool', 'is required'), d(vs, 'warning', 'spec.pools', 'unknown field; did you mean pool?')],
      ['is required (spec.pools is set instead: a misspelling of pool?)', 'unknown field; did you mean pool?'],
    ],
    [
      'a sibling of another pool is not named',
      [
        d(vs, 'warning', 'spec.pools[1].servicePrt', 'unknown field; did you mean servicePort?'),
        d(vs, 'error', 'spec.pools[0].servicePort', 'is required'),
      ],
      ['unknown field; did you mean servicePort?', 'is required'],
    ],
    [
      'a sibling of another resource is not named',
      [
        d(other, 'warning', 'spec.pools[0].servicePrt', 'unknown field; did you mean servicePort?'),
        d(vs, 'error', 'spec.pools[0].servicePort', 'is required'),
      ],
      ['unknown field; did you mean servicePort?', 'is required'],
    ],
    [
      'an unknown sibling that does not look like the missing field is not named',
      [d(vs, 'warning', 'spec.pools[0].colour', 'unknown field'), d(vs, 'error', 'spec.pools[0].servicePort', 'is required')],
      ['unknown field', 'is required'],
    ],
    [
      'other errors are left alone',
      [
        d(vs, 'warning', 'spec.pools[0].servicePrt', 'unknown field; did you mean servicePort?'),
        d(vs, 'error', 'spec.pools[0].servicePort', '99999 is not a port'),
      ],
      ['unknown field; did you mean servicePort?', '99999 is not a port'],
    ],
  ];
  for (const [what, input, expected] of cases) {
    it(what, () =>
      assert.deepEqual(
        namingMisspeltSiblings(input).map((x) => x.message),
        expected,
      ),
    );
  }
});
