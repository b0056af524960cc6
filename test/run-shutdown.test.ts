/**
 * `kube-as3 run` stops when told, in every state, within its deadline: the deadline's timer is
 * injected and fired by the test, so "within the deadline" is proven without waiting for it, and
 * every step waits on a log line, a held request or the run's exit, never on time. Faults a real
 * API server cannot produce on demand come from the fakes: a closed loopback port (nothing
 * listens) and a BIG-IP post that is never answered. The real binary against a real API server
 * is in run-envtest.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runController } from '../src/cli/run-command.js';
import type { RunOptions } from '../src/cli/run-command.js';
import type { ShutdownTimer } from '../src/controller/shutdown.js';
import { startFakeBigip } from './support/fake-bigip.js';
import type { FakeBigip } from './support/fake-bigip.js';
import { startFakeKubeApi } from './support/fake-kube-api.js';
import type { FakeKubeApi } from './support/fake-kube-api.js';
import { closedPort, startHoldingProxy } from './support/holding-proxy.js';
import type { HoldingProxy } from './support/holding-proxy.js';
import { recordingLog } from './support/recording-log.js';
import type { RecordingLog } from './support/recording-log.js';

/** The shutdown deadline's timer, fired only by the test. */
function deadline(): { setTimer: (fn: () => void, ms: number) => ShutdownTimer; fire(): void; armed: number[] } {
  const pending: Array<{ fn: () => void; live: boolean }> = [];
  const armed: number[] = [];
  return {
    armed,
    setTimer: (fn, ms) => {
      const entry = { fn, live: true };
      pending.push(entry);
      armed.push(ms);
      return { cancel: () => void (entry.live = false) };
    },
    fire: () => pending.filter((e) => e.live).forEach((e) => e.fn()),
  };
}

/** Captures stderr and resolves `waitFor(pattern)` when it shows. */
function capturedIo(): {
  out: string;
  err: string;
  stdout(t: string): void;
  stderr(t: string): void;
  waitFor(pattern: RegExp): Promise<void>;
} {
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  return {
    out: '',
    err: '',
    stdout(t) {
      this.out += t;
    },
    stderr(t) {
      this.err += t;
      for (const w of waiters.filter((x) => x.pattern.test(this.err))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    },
    waitFor(pattern) {
      return pattern.test(this.err) ? Promise.resolve() : new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
  };
}

describe('kube-as3 run: stopping in every state, within the deadline', () => {
  let kube: FakeKubeApi;
  let bigip: FakeBigip;
  let proxy: HoldingProxy | undefined;
  let dir: string;
  let current: { stop: AbortController; force: AbortController; exit: Promise<number> } | undefined;

  beforeEach(async () => {
    kube = await startFakeKubeApi();
    // The official schema is checked elsewhere; compiling it here would only slow these tests down.
    bigip = await startFakeBigip({ asyncPollsBeforeDone: 0, officialSchema: false });
    proxy = undefined;
    dir = mkdtempSync(join(tmpdir(), 'kube-as3-stop-'));
    writeFileSync(join(dir, 'username'), 'admin\n');
    writeFileSync(join(dir, 'password'), 'admin\n');
    kube.put('', 'v1', 'services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    kube.put('cis.f5.com', 'v1', 'virtualservers', {
      apiVersion: 'cis.f5.com/v1',
      kind: 'VirtualServer',
      metadata: { name: 'web', namespace: 'shop', labels: { f5cr: 'true' } },
      spec: { host: 'web.example.com', virtualServerAddress: '10.1.1.1', pools: [{ path: '/', service: 'web', servicePort: 80 }] },
    });
  });
  afterEach(async () => {
    // A failed test must not leave its controller running.
    current?.stop.abort();
    current?.force.abort();
    await current?.exit;
    current = undefined;
    await proxy?.close();
    await bigip.close();
    await kube.close();
  });

  /** Options for `run` against this cluster URL and BIG-IP URL. */
  function options(kubeUrl: string, bigipUrl: string, leaderElection: boolean): RunOptions {
    writeFileSync(
      join(dir, 'kube-as3.yaml'),
      `poolMemberType: cluster\nbigip: {partition: shop, url: "${bigipUrl}"}\nas3: {instance: it}\n`,
    );
    writeFileSync(
      join(dir, 'kubeconfig'),
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: c',
        `clusters: [{name: c, cluster: {server: "${kubeUrl}", insecure-skip-tls-verify: true}}]`,
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: c, context: {cluster: c, user: u}}]',
      ].join('\n'),
    );
    return {
      config: join(dir, 'kube-as3.yaml'),
      kubeconfig: join(dir, 'kubeconfig'),
      bigipCredentialsDir: dir,
      port: '0',
      namespace: 'kube-as3',
      leaderElection,
    };
  }

  function start(
    opts: RunOptions,
    io = capturedIo(),
  ): {
    log: RecordingLog;
    stop: AbortController;
    force: AbortController;
    timer: ReturnType<typeof deadline>;
    exit: Promise<number>;
    io: ReturnType<typeof capturedIo>;
  } {
    const log = recordingLog();
    const stop = new AbortController();
    const force = new AbortController();
    const timer = deadline();
    const exit = runController(opts, io, stop.signal, log, { force: force.signal, setTimer: timer.setTimer });
    current = { stop, force, exit };
    return { log, stop, force, timer, exit, io };
  }

  for (const leaderElection of [true, false]) {
    it(`with no reachable cluster (before its first list), says why once per cluster and on /readyz, and stops at once (leader election ${leaderElection ? 'on' : 'off'})`, async () => {
      const run = start(options(`https://127.0.0.1:${await closedPort()}`, bigip.url, leaderElection));
      const running = await run.log.waitFor('kube-as3 controller running');
      const problem = await run.log.waitFor(/^cluster local .* cannot be read/);
      assert.match(problem.msg, /^cluster local \(https:\/\/127\.0\.0\.1:\d+\) cannot be read: connection refused \(ECONNREFUSED\)/);
      assert.equal(problem.obj['reason'], 'refused');
      const readyz = await fetch(`${String(running.obj['url'])}/readyz`);
      assert.equal(readyz.status, 503);
      assert.match(
        await readyz.text(),
        /^not ready: cluster local not listed yet: connection refused \(ECONNREFUSED\).* \(https:\/\/127\.0\.0\.1:\d+\)/,
      );
      assert.match(
        await (await fetch(`${String(running.obj['url'])}/metrics`)).text(),
        /^kube_as3_cluster_watch_failures_total\{cluster="local",reason="refused"\} [1-9]/m,
      );
      assert.deepEqual(
        run.log.lines.filter((l) => l.msg.startsWith('watch:')),
        [],
        'no warning per kind',
      );

      run.stop.abort('SIGTERM');
      assert.equal(await run.exit, 0);
      assert.deepEqual(run.timer.armed, [10_000], 'the default deadline, never reached');
      const stopping = await run.log.waitFor('stopping');
      assert.deepEqual(stopping.obj, { reason: 'SIGTERM', deadlineSeconds: 10 });
      await run.log.waitFor('kube-as3 controller stopped');
      assert.equal(bigip.posts.length, 0);
    });
  }

  it('with the BIG-IP unreachable (retries in backoff), stops at once instead of waiting for the retries', async () => {
    const run = start(options(kube.url, `http://127.0.0.1:${await closedPort()}`, false));
    await run.io.waitFor(/retrying POST \/mgmt\/shared\/authn\/login in/);
    // The retry line is written as the backoff starts: the stop comes during it.
    run.stop.abort('SIGTERM');
    assert.equal(await run.exit, 0);
    await run.log.waitFor('stopping: waiting for the reconcile pass under way to finish');
    await run.log.waitFor(/^reconcile pass cut short: the controller is stopping; the next start reads the BIG-IP back$/);
    await run.log.waitFor('kube-as3 controller stopped');
    assert.equal(
      run.log.lines.filter((l) => l.msg.startsWith('reconcile failed')).length,
      0,
      'a pass cut short by the stop is no failure to retry',
    );
  });

  it('with an AS3 post in flight (leader election on): waits for it, then at the deadline exits 1 saying the BIG-IP may or may not have applied it', async () => {
    proxy = await startHoldingProxy(
      bigip.url,
      (req) => req.method === 'POST' && (req.url ?? '').startsWith('/mgmt/shared/appsvcs/declare'),
    );
    const run = start(options(kube.url, proxy.url, true));
    await proxy.held();
    run.stop.abort('SIGTERM');
    await run.log.waitFor(/^stopping: waiting for the AS3 post of tenant shop .*to be answered$/);
    run.timer.fire();
    assert.equal(await run.exit, 1);
    const gaveUp = await run.log.waitFor(/^the stop deadline \(10 s\) passed: exiting without waiting any longer$/);
    assert.match(String(gaveUp.obj['waitingFor']), /the AS3 post of tenant shop/);
    await run.log.waitFor(
      /^the AS3 post of tenant shop \(sent \d+ s ago\) was in flight: the BIG-IP may or may not have applied it; the next start reads the device back$/,
    );
    assert.equal(
      run.log.lines.some((l) => l.msg === 'kube-as3 controller stopped'),
      false,
    );
  });

  it('with an AS3 post in flight answered before the deadline (no leader election): waits for it and exits 0', async () => {
    proxy = await startHoldingProxy(
      bigip.url,
      (req) => req.method === 'POST' && (req.url ?? '').startsWith('/mgmt/shared/appsvcs/declare'),
    );
    const run = start(options(kube.url, proxy.url, false));
    await proxy.held();
    run.stop.abort('SIGINT');
    await run.log.waitFor(/^stopping: waiting for the AS3 post of tenant shop/);
    proxy.release();
    assert.equal(await run.exit, 0);
    await run.log.waitFor('BIG-IP updated');
    assert.ok(bigip.tenants()['shop']?.['crd_10_1_1_1_80'], 'the post went through and was followed to its end');
    assert.equal(
      run.log.lines.some((l) => /may or may not/.test(l.msg)),
      false,
    );
  });

  it('exits at once on a second signal', async () => {
    proxy = await startHoldingProxy(
      bigip.url,
      (req) => req.method === 'POST' && (req.url ?? '').startsWith('/mgmt/shared/appsvcs/declare'),
    );
    const run = start(options(kube.url, proxy.url, false));
    await proxy.held();
    run.stop.abort('SIGTERM');
    await run.log.waitFor(/^stopping: waiting for/);
    run.force.abort('SIGTERM');
    assert.equal(await run.exit, 1);
    await run.log.waitFor(/^a second signal \(SIGTERM\) came: exiting without waiting any longer$/);
    await run.log.waitFor(/was in flight: the BIG-IP may or may not have applied it/);
  });
});
