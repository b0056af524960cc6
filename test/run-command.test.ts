/**
 * `kube-as3 run` as the binary starts it (config file, kubeconfig file, credentials directory),
 * against the fake API server and the fake BIG-IP; stopped through its abort signal as SIGTERM does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runController } from '../src/cli/run-command.js';
import type { Log } from '../src/controller/reconciler.js';
import { startFakeBigip } from './support/fake-bigip.js';
import type { FakeBigip } from './support/fake-bigip.js';
import { startFakeKubeApi } from './support/fake-kube-api.js';
import type { FakeKubeApi } from './support/fake-kube-api.js';

interface Recorded { level: string; obj: Record<string, unknown>; msg: string }

/** A log that resolves `waitFor(msg)` when a line with that message is written. */
function recordingLog(): Log & { lines: Recorded[]; waitFor(msg: string): Promise<Recorded> } {
  const lines: Recorded[] = [];
  const waiters: Array<{ msg: string; resolve: (r: Recorded) => void }> = [];
  const write = (level: string) => (obj: object, msg: string): void => {
    const line = { level, obj: obj as Record<string, unknown>, msg };
    lines.push(line);
    for (const w of waiters.filter((x) => x.msg === msg)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(line);
    }
  };
  return {
    lines, info: write('info'), warn: write('warn'), error: write('error'),
    waitFor: (msg) => {
      const seen = lines.find((l) => l.msg === msg);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ msg, resolve }));
    },
  };
}

describe('kube-as3 run', () => {
  let kube: FakeKubeApi;
  let bigip: FakeBigip;
  let dir: string;
  const io = { out: '', err: '', stdout(t: string) { this.out += t; }, stderr(t: string) { this.err += t; } };

  beforeEach(async () => {
    kube = await startFakeKubeApi();
    bigip = await startFakeBigip({ asyncPollsBeforeDone: 0 });
    dir = mkdtempSync(join(tmpdir(), 'kube-as3-run-'));
    io.out = '';
    io.err = '';
    writeFileSync(join(dir, 'username'), 'admin\n');
    writeFileSync(join(dir, 'password'), 'admin\n');
    writeFileSync(join(dir, 'kube-as3.yaml'), `poolMemberType: cluster\nbigip: {partition: shop, url: ${bigip.url}}\nas3: {instance: it}\n`);
    writeFileSync(join(dir, 'kubeconfig'), [
      'apiVersion: v1', 'kind: Config', 'current-context: fake',
      `clusters: [{name: fake, cluster: {server: "${kube.url}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: tester, user: {token: fake-token}}]',
      'contexts: [{name: fake, context: {cluster: fake, user: tester}}]',
    ].join('\n'));
    kube.put('', 'v1', 'services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
    kube.put('cis.f5.com', 'v1', 'virtualservers', {
      apiVersion: 'cis.f5.com/v1', kind: 'VirtualServer', metadata: { name: 'web', namespace: 'shop', labels: { f5cr: 'true' } },
      spec: { host: 'web.example.com', virtualServerAddress: '10.1.1.1', pools: [{ path: '/', service: 'web', servicePort: 80 }] },
    });
  });
  afterEach(async () => {
    await bigip.close();
    await kube.close();
  });

  it('watches the cluster, updates the BIG-IP, serves /readyz and /metrics, and stops on its signal with exit 0', async () => {
    const stop = new AbortController();
    const log = recordingLog();
    const exit = runController({ config: join(dir, 'kube-as3.yaml'), kubeconfig: join(dir, 'kubeconfig'), bigipCredentialsDir: dir, port: '0', namespace: 'kube-as3' }, io, stop.signal, log);
    const started = await log.waitFor('kube-as3 controller running');
    await log.waitFor('BIG-IP updated');
    assert.ok(bigip.tenants()['shop']?.['crd_10_1_1_1_80']);
    const url = String(started.obj['url']);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.match(await (await fetch(`${url}/metrics`)).text(), /^kube_as3_reconcile_duration_seconds_count \d+/m);
    stop.abort();
    assert.equal(await exit, 0, io.err);
    assert.ok(!JSON.stringify(log.lines).includes('admin'), 'no credentials in the log');
  });

  it('exits 1 with a message on usage errors, before touching anything', async () => {
    const stop = new AbortController();
    const log = recordingLog();
    assert.equal(await runController({}, io, stop.signal, log), 1);
    assert.match(io.err, /^error: give the config file with --config FILE$/m);
    assert.equal(await runController({ config: join(dir, 'kube-as3.yaml'), port: 'eighty' }, io, stop.signal, log), 1);
    assert.match(io.err, /^error: --port must be a port number, not "eighty"$/m);
    assert.equal(await runController({ config: join(dir, 'kube-as3.yaml'), kubeconfig: join(dir, 'missing'), bigipCredentialsDir: dir, port: '0' }, io, stop.signal, log), 1);
    assert.match(io.err, /^error: .*missing/m);
    assert.equal(bigip.posts.length, 0);
  });
});
