import assert from 'node:assert/strict';
import { isStraySocketError } from './stray-socket-error.js';

function errno(message: string, code: string, syscall?: string): Error {
  return Object.assign(new Error(message), { code, ...(syscall ? { syscall } : {}) });
}

describe('isStraySocketError: which uncaught errors run survives', () => {
  const cases: Array<[string, unknown, boolean]> = [
    [
      'a TLS write cancelled when the API server went away',
      errno('write ECANCELED Canceled because of SSL destruction', 'ECANCELED', 'write'),
      true,
    ],
    ['a reset read', errno('read ECONNRESET', 'ECONNRESET', 'read'), true],
    ['a broken pipe', errno('write EPIPE', 'EPIPE', 'write'), true],
    ['a programming error', new TypeError('cannot read properties of undefined'), false],
    ['a file system error', errno('ENOENT: no such file', 'ENOENT', 'open'), false],
    ['a socket error of another system call (listen)', errno('listen ECONNRESET', 'ECONNRESET', 'listen'), false],
    ['not an Error at all', 'ECONNRESET', false],
  ];
  for (const [what, err, stray] of cases) {
    it(`${what}: ${stray ? 'logged, run goes on' : 'ends run'}`, () => assert.equal(isStraySocketError(err), stray));
  }
});
