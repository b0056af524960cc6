import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { startControllerServer } from './http-server.js';
import type { Readiness } from './http-server.js';

describe('controller HTTP endpoints', () => {
  it('/healthz answers, /readyz says why it is not ready, /metrics serves the registry, other paths and methods are refused', async () => {
    let readiness: Readiness = { ready: false, reason: 'cluster west not listed yet' };
    const registry = new Registry();
    const server = await startControllerServer({ port: 0, host: '127.0.0.1', registry, readiness: () => readiness });
    try {
      const get = async (path: string, method = 'GET'): Promise<[number, string]> => {
        const res = await fetch(`${server.url}${path}`, { method });
        return [res.status, await res.text()];
      };
      assert.deepEqual(await get('/healthz'), [200, 'ok\n']);
      assert.deepEqual(await get('/readyz'), [503, 'not ready: cluster west not listed yet\n']);
      readiness = { ready: true };
      assert.deepEqual(await get('/readyz?verbose'), [200, 'ready\n']);
      assert.equal((await get('/metrics'))[0], 200);
      assert.deepEqual(await get('/nowhere'), [404, 'not found\n']);
      assert.deepEqual(await get('/healthz', 'POST'), [405, 'method not allowed\n']);
    } finally {
      await server.close();
    }
  });
});
