import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { KubeApiError, isKubeStatus, kubeCall, kubeFailure } from './kube-call.js';
import { classifyClusterError } from '../controller/cluster-problems.js';

/** A call that never settles unless its signal aborts, like a request to a hung API server. */
function hung(_options: unknown, signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) =>
    signal.addEventListener('abort', () => reject(new Error('The operation was aborted.')), { once: true }),
  );
}

describe('kubeCall', () => {
  it('gives up on a request without answer after its deadline, naming the call and the deadline', async () => {
    const err = await kubeCall('Lease ns/x: cannot read', hung, { timeoutMs: 20 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof KubeApiError);
    assert.equal(err.message, 'Lease ns/x: cannot read: no answer from the API server within 0.02 s');
    assert.equal(err.timedOut, true);
    assert.equal(err.status, undefined);
    assert.equal(classifyClusterError(err).class, 'timeout');
  });

  it('settles on the deadline even when the callee ignores the signal', async () => {
    const err = await kubeCall('x: cannot list', () => new Promise<never>(() => undefined), { timeoutMs: 10 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.match((err as Error).message, /^x: cannot list: no answer from the API server within 0.01 s$/);
  });

  it("aborts when the caller's signal fires, and says so without calling it a timeout", async () => {
    const stop = new AbortController();
    const pending = kubeCall('x: cannot read', hung, { timeoutMs: 60_000, signal: stop.signal });
    stop.abort(new Error('stopping'));
    const err = await pending.then(
      () => undefined,
      (e: unknown) => e as KubeApiError,
    );
    assert.equal(err?.timedOut, false);
    assert.equal(err?.message, 'x: cannot read: stopping');
  });

  it('formats every failure one way (table)', () => {
    const refused = (code: number, body: unknown): ApiException<unknown> => new ApiException(code, 'summary', body, {});
    const cases: Array<[err: unknown, notFound: string | undefined, message: string, status: number | undefined]> = [
      [
        refused(403, { kind: 'Status', reason: 'Forbidden', message: 'denied' }),
        undefined,
        'W: cannot write: the API server answered HTTP 403: Forbidden: denied',
        403,
      ],
      [
        refused(404, { reason: 'NotFound', message: 'gone' }),
        'the resource no longer exists',
        'W: cannot write: the API server answered HTTP 404 (the resource no longer exists): NotFound: gone',
        404,
      ],
      [refused(401, undefined), undefined, 'W: cannot write: the API server answered HTTP 401: summary', 401],
      [refused(500, 'plain text'), undefined, 'W: cannot write: the API server answered HTTP 500: plain text', 500],
      [
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
        undefined,
        'W: cannot write: connect ECONNREFUSED 127.0.0.1:1',
        undefined,
      ],
      [
        new Error('request to https://u:p@host/x failed, Authorization: Bearer abc.def'),
        undefined,
        'W: cannot write: request to https://[redacted]@host/x failed, Authorization: Bearer [redacted]',
        undefined,
      ],
    ];
    for (const [err, notFound, message, status] of cases) {
      const failed = kubeFailure('W: cannot write', err, { timedOut: false, timeoutMs: 1 }, notFound);
      assert.equal(failed.message, message);
      assert.equal(failed.status, status);
      assert.equal(failed.cause, err);
    }
    const refusedOnce = kubeFailure('W: cannot write', refused(409, {}), { timedOut: false, timeoutMs: 1 });
    assert.ok(isKubeStatus(refusedOnce, 404, 409));
    assert.equal(kubeFailure('other', refusedOnce, { timedOut: false, timeoutMs: 1 }), refusedOnce, 'an error already formatted is kept');
    assert.equal(classifyClusterError(kubeFailure('W', refused(403, {}), { timedOut: false, timeoutMs: 1 })).class, 'forbidden');
  });

  it('resolves with the result and leaves no timer behind', async () => {
    assert.equal(await kubeCall('x', () => Promise.resolve(7), { timeoutMs: 60_000 }), 7);
  });
});
