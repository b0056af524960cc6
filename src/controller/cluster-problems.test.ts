import assert from 'node:assert/strict';
import { ClusterProblems, classifyClusterError } from './cluster-problems.js';
import type { Log } from './reconciler.js';

/** Errors shaped as client-node 1.4 reports them (see cluster-watch.ts). */
function fetchError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, errno: code, type: 'system' });
}

function apiException(code: number): Error {
  return Object.assign(new Error(`HTTP-Code: ${code}\nMessage: Unauthorized\nBody: undefined`), { code });
}

describe('ClusterProblems: why a cluster cannot be read, once per cluster', () => {
  it('classifies connection, DNS, certificate and authorization failures', () => {
    const cases: Array<[Error, string, RegExp]> = [
      [
        fetchError('ECONNREFUSED', 'request to https://127.0.0.1:1/api/v1/nodes failed, reason: connect ECONNREFUSED 127.0.0.1:1'),
        'refused',
        /^connection refused/,
      ],
      [fetchError('ENOTFOUND', 'getaddrinfo ENOTFOUND api.invalid'), 'dns', /^host not found \(ENOTFOUND\)/],
      [
        fetchError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'),
        'certificate',
        /^certificate error \(SELF_SIGNED_CERT_IN_CHAIN\)/,
      ],
      [apiException(401), 'unauthorized', /^HTTP 401 Unauthorized/],
      [apiException(403), 'forbidden', /^HTTP 403 Forbidden/],
      [new Error('HTTP 500: Internal Server Error', { cause: { statusCode: 500 } }), 'http', /HTTP 500/],
      [new Error('superseded by a newer informer'), 'other', /^superseded/],
    ];
    for (const [error, cls, reason] of cases) {
      const problem = classifyClusterError(error);
      assert.equal(problem.class, cls, error.message);
      assert.match(problem.reason, reason);
    }
  });

  it('logs a failing cluster once, then again after pauses that double; a new reason at once; recovery once', () => {
    const lines: Array<{ msg: string; obj: Record<string, unknown> }> = [];
    const push = (obj: object, msg: string): void => void lines.push({ msg, obj: obj as Record<string, unknown> });
    const log: Log = { info: push, warn: push, error: push };
    let now = 0;
    const failures: string[] = [];
    const problems = new ClusterProblems({
      log,
      now: () => now,
      server: () => 'https://10.0.0.1:6443',
      firstRepeatMs: 1000,
      maxRepeatMs: 3000,
      onFailure: (cluster, problem) => failures.push(`${cluster}:${problem.class}`),
    });
    const refused = fetchError('ECONNREFUSED', 'connect ECONNREFUSED');
    for (const kind of ['Node', 'Service', 'Secret']) problems.failed('east', kind, refused);
    assert.equal(lines.length, 1, 'one line for the cluster, not one per kind');
    assert.equal(
      lines[0]?.msg,
      'cluster east (https://10.0.0.1:6443) cannot be read: connection refused (ECONNREFUSED): nothing listens at the API server address; retrying with backoff',
    );
    assert.equal(problems.reason('east'), 'connection refused (ECONNREFUSED): nothing listens at the API server address');
    now = 999;
    problems.failed('east', 'Node', refused);
    assert.equal(lines.length, 1);
    now = 1000;
    problems.failed('east', 'Service', refused);
    assert.equal(lines.length, 2);
    assert.deepEqual(lines[1]?.obj['kinds'], ['Node', 'Secret', 'Service'], 'the kinds that failed since the last line');
    assert.equal(lines[1]?.obj['failures'], 4);
    now = 2999;
    problems.failed('east', 'Node', refused);
    assert.equal(lines.length, 2, 'the pause doubled to 2 s');
    now = 3000;
    problems.failed('east', 'Node', refused);
    assert.equal(lines.length, 3);
    problems.failed('east', 'Node', apiException(401));
    assert.equal(lines.length, 4, 'a different reason is news');
    assert.match(lines[3]?.msg ?? '', /^cluster east .*HTTP 401 Unauthorized/);
    problems.recovered('east');
    problems.recovered('east');
    assert.equal(lines.length, 5);
    assert.match(lines[4]?.msg ?? '', /^cluster east can be read again/);
    assert.equal(problems.reason('east'), undefined);
    assert.equal(failures.length, 8, 'every failure counts for the metric');
  });
});
