/**
 * `diff` and `apply` against a BIG-IP that cannot be reached: the error says so ("cannot connect
 * to URL: connection refused"), and nothing claims that the login was refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliCaptured } from './support/run-cli.js';

/** A port on 127.0.0.1 that nothing listens on: listened on, noted, closed. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('kube-as3 diff and apply with an unreachable BIG-IP', () => {
  let dir: string;
  let url: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kube-as3-unreachable-'));
    writeFileSync(join(dir, 'username'), 'admin\n');
    writeFileSync(join(dir, 'password'), 'Pa55-w0rd-never-shown\n');
    writeFileSync(join(dir, 'kube-as3.yaml'), 'poolMemberType: cluster\nas3: {maxRetries: 0}\n');
    writeFileSync(
      join(dir, 'vs.yaml'),
      'apiVersion: cis.f5.com/v1\nkind: VirtualServer\nmetadata: {name: web, namespace: shop, labels: {f5cr: "true"}}\nspec: {virtualServerAddress: 10.1.1.1, pools: [{path: /, service: web, servicePort: 80}]}\n',
    );
    url = `http://127.0.0.1:${await closedPort()}`;
  });

  for (const command of ['apply', 'diff']) {
    it(`${command} exits 1 with "cannot connect to <url>: connection refused"`, async () => {
      const run = await runCliCaptured([
        command,
        '-f',
        join(dir, 'vs.yaml'),
        '--config',
        join(dir, 'kube-as3.yaml'),
        '--bigip-url',
        url,
        '--bigip-credentials-dir',
        dir,
      ]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(
        run.stderr,
        new RegExp(`^error: cannot connect to ${url.replace(/\./g, '\\.')}: connection refused \\(connect ECONNREFUSED`, 'm'),
      );
      assert.doesNotMatch(run.stderr, /login (as "admin" )?refused/);
      assert.ok(!run.stderr.includes('Pa55-w0rd-never-shown'));
      assert.equal(run.stdout, '');
    });
  }
});
