/**
 * The real binary against a real API server (envtest: etcd + kube-apiserver): 1,000
 * VirtualServers listed, then SIGTERM with --no-leader-election. It used to keep running for the
 * whole first pass (1,000 status writes) without a word. It must log that it stops and exit
 * within its deadline; the test waits on the log lines and the exit event, never on time.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { envtestForSuite, kubectl } from './support/envtest.js';
import type { Envtest } from './support/envtest.js';
import { startFakeBigip } from './support/fake-bigip.js';
import type { FakeBigip } from './support/fake-bigip.js';

const COUNT = 1000;
const bin = resolve(import.meta.dirname, '..', 'bin', 'kube-as3.js');

/** One List of COUNT VirtualServers (one `kubectl create`), each with its own address. */
function virtualServers(): string {
  const items = Array.from({ length: COUNT }, (_, i) => ({
    apiVersion: 'cis.f5.com/v1',
    kind: 'VirtualServer',
    metadata: { name: `vs-${i}`, namespace: 'shop', labels: { f5cr: 'true' } },
    spec: {
      host: `vs-${i}.example.com`,
      virtualServerAddress: `10.2.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      pools: [{ path: '/', service: 'web', servicePort: 80 }],
    },
  }));
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

describe('kube-as3 run (the binary) against a real API server', function () {
  let env: Envtest | undefined;
  let bigip: FakeBigip | undefined;
  let dir: string;

  before(async function () {
    env = await envtestForSuite(this);
    await kubectl(env.kubeconfigPath, ['create', 'namespace', 'shop']);
    await kubectl(env.kubeconfigPath, ['create', '-n', 'shop', 'service', 'clusterip', 'web', '--tcp=80:8080']);
    await kubectl(env.kubeconfigPath, ['create', '-f', '-', '-o', 'name'], virtualServers());
    bigip = await startFakeBigip({ asyncPollsBeforeDone: 0, officialSchema: false });
    dir = mkdtempSync(join(tmpdir(), 'kube-as3-envtest-run-'));
    writeFileSync(join(dir, 'username'), 'admin\n');
    writeFileSync(join(dir, 'password'), 'admin\n');
    writeFileSync(
      join(dir, 'kube-as3.yaml'),
      `poolMemberType: cluster\nbigip: {partition: shop, url: "${bigip.url}"}\nas3: {instance: it}\n`,
    );
  });
  after(async function () {
    this.timeout(60_000);
    await bigip?.close();
    await env?.stop();
  });

  it(`stops on SIGTERM with --no-leader-election once ${COUNT} VirtualServers are listed, and says so`, async function () {
    this.timeout(120_000);
    const child = spawn(
      process.execPath,
      [
        bin,
        'run',
        '--config',
        join(dir, 'kube-as3.yaml'),
        '--kubeconfig',
        (env as Envtest).kubeconfigPath,
        '--bigip-credentials-dir',
        dir,
        '--port',
        '0',
        '--no-leader-election',
        '--namespace',
        'default',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const messages: Array<{ msg: string; reason?: string }> = [];
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const listed = new Promise<void>((done) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const record = JSON.parse(line) as { msg: string; reason?: string };
        messages.push(record);
        if (record.msg === 'watching; first reconcile') done();
      });
    });
    // Listed: the first pass (plan, post, 1,000 statuses) starts now; the stop comes during it.
    await Promise.race([listed, exited.then((code) => assert.fail(`run exited (${code}) before listing: ${stderr}`))]);
    child.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 0, `exit code; stderr: ${stderr}`);
    const msgs = messages.map((m) => m.msg);
    assert.equal(messages.find((m) => m.msg === 'stopping')?.reason, 'SIGTERM');
    assert.ok(msgs.includes('kube-as3 controller stopped'), msgs.join('\n'));
    assert.ok(msgs.indexOf('stopping') < msgs.indexOf('kube-as3 controller stopped'));
  });
});
