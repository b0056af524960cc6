/**
 * LeaderElection against the fake API server over real HTTP, through the real
 * @kubernetes/client-node: what it writes to the Lease, when a follower may take over, when a
 * leader must stop acting, and races between replicas. Every replica has its own manual clock and
 * timers, so a test moves time explicitly (and can give two replicas clocks that disagree) and
 * never waits for real time to pass.
 */
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoordinationV1Api } from '@kubernetes/client-node';
import type { V1Lease } from '@kubernetes/client-node';
import { kubeConfigFor, objectKey, startFakeKubeApi } from '../../test/support/fake-kube-api.js';
import type { FakeKubeApi } from '../../test/support/fake-kube-api.js';
import { LeaderElection } from './leader-election.js';
import type { LeaderElectionOptions, LeaderTimer } from './leader-election.js';

const GROUP = 'coordination.k8s.io';
const NAMESPACE = 'kube-as3';
const LEASE = 'kube-as3-edge';
const START = '2025-03-01T12:00:00.000Z';

/** A clock and the timers that run on it: nothing happens until the test moves time. */
class ManualTime {
  private t = Date.parse(START);
  private seq = 0;
  private timers: Array<{ due: number; seq: number; ms: number; fn: () => void }> = [];
  private waiters: Array<{ ms: number; resolve: () => void }> = [];

  readonly now = (): Date => new Date(this.t);

  readonly setTimer = (fn: () => void, ms: number): LeaderTimer => {
    const timer = { due: this.t + ms, seq: this.seq++, ms, fn };
    this.timers.push(timer);
    this.waiters = this.waiters.filter((waiter) => (waiter.ms === ms ? void waiter.resolve() : true));
    return { cancel: () => void (this.timers = this.timers.filter((t) => t !== timer)) };
  };

  /** Moves the clock by `ms`, running every timer that falls due, earliest first. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.due <= end).sort((x, y) => x.due - y.due || x.seq - y.seq)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.t = Math.max(this.t, next.due);
      next.fn();
    }
    this.t = end;
  }

  /** Moves the clock without running timers: an event loop that stalled and has not caught up yet. */
  jump(ms: number): void {
    this.t += ms;
  }

  /** The delays of the timers still pending. */
  pending(): number[] {
    return this.timers.map((t) => t.ms);
  }

  /** Resolves when a timer of `ms` is next set. */
  scheduled(ms: number): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ ms, resolve }));
  }
}

interface Replica {
  election: LeaderElection;
  time: ManualTime;
  /** `started` and `stopped: <reason>`, in order */
  events: string[];
  errors: string[];
}

function replica(url: string, identity: string, overrides: Partial<LeaderElectionOptions> = {}): Replica {
  const time = new ManualTime();
  const events: string[] = [];
  const errors: string[] = [];
  const election = new LeaderElection({
    api: kubeConfigFor(url).makeApiClient(CoordinationV1Api),
    namespace: NAMESPACE,
    name: LEASE,
    identity,
    now: time.now,
    setTimer: time.setTimer,
    onStartedLeading: () => void events.push('started'),
    onStoppedLeading: (reason) => void events.push(`stopped: ${reason}`),
    onError: (err) => void errors.push(err.message),
    ...overrides,
  });
  return { election, time, events, errors };
}

interface StoredLease {
  metadata: { resourceVersion: string };
  spec: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

function storedLease(fake: FakeKubeApi, name = LEASE): StoredLease {
  const lease = fake.objects().get(objectKey(GROUP, 'leases', NAMESPACE, name));
  assert.ok(lease, `no Lease ${NAMESPACE}/${name} in the fake`);
  return lease as StoredLease;
}

const serverError = { method: 'PUT', code: 500, reason: 'InternalError', message: 'etcdserver: request timed out' };

/** A pass-through proxy to the fake that can stop answering: a connection that hangs. */
async function startGate(target: string): Promise<{ url: string; hold(on: boolean): void; held(): Promise<void>; close(): Promise<void> }> {
  let holding = false;
  const heldResponses: ServerResponse[] = [];
  let onHeld: (() => void) | undefined;
  const server = createServer((req, res) => {
    if (holding) {
      heldResponses.push(res);
      onHeld?.();
      return;
    }
    const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hold: (on) => void (holding = on),
    held: () => new Promise((resolve) => (onHeld = resolve)),
    close: async () => {
      for (const res of heldResponses) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('LeaderElection', () => {
  let fake: FakeKubeApi;

  beforeEach(async () => {
    fake = await startFakeKubeApi();
  });

  afterEach(async () => {
    await fake.close();
  });

  it('creates the Lease when there is none and leads; renewals move renewTime, keep acquireTime, and write MicroTimes', async () => {
    const a = replica(fake.url, 'a');
    assert.equal(await a.election.tryAcquireOrRenew(), true);
    assert.equal(a.election.leading, true);
    assert.deepEqual(a.events, ['started']);
    assert.deepEqual(
      fake.requests.map((r) => `${r.method} ${r.status}`),
      ['GET 404', 'POST 201'],
    );
    assert.deepEqual(storedLease(fake).spec, {
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: '2025-03-01T12:00:00.000000Z',
      renewTime: '2025-03-01T12:00:00.000000Z',
      leaseTransitions: 0,
    });

    a.time.advance(2500);
    assert.equal(await a.election.tryAcquireOrRenew(), true);
    assert.deepEqual(storedLease(fake).spec, {
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: '2025-03-01T12:00:00.000000Z',
      renewTime: '2025-03-01T12:00:02.500000Z',
      leaseTransitions: 0,
    });
    assert.equal(fake.requests.at(-1)?.method, 'PUT');
    assert.deepEqual(a.events, ['started'], 'a renewal is not a new start');
    assert.deepEqual(a.errors, []);
  });

  it('keeps a second replica a follower for as long as the leader renews, even past leaseDuration on its clock', async () => {
    const a = replica(fake.url, 'a');
    const b = replica(fake.url, 'b');
    assert.equal(await a.election.tryAcquireOrRenew(), true);
    for (let round = 0; round < 10; round++) {
      assert.equal(await b.election.tryAcquireOrRenew(), false);
      a.time.advance(2000);
      b.time.advance(2000);
      assert.equal(await a.election.tryAcquireOrRenew(), true);
    }
    assert.equal(await b.election.tryAcquireOrRenew(), false);
    assert.deepEqual([a.election.leading, b.election.leading], [true, false]);
    assert.deepEqual(b.events, []);
    assert.equal(storedLease(fake).spec.holderIdentity, 'a');
  });

  it('takes over a lease left unrenewed for longer than leaseDuration; the old leader stops on its next renewal', async () => {
    const a = replica(fake.url, 'a');
    const b = replica(fake.url, 'b');
    assert.equal(await a.election.tryAcquireOrRenew(), true);
    assert.equal(await b.election.tryAcquireOrRenew(), false);
    b.time.advance(15_000);
    assert.equal(await b.election.tryAcquireOrRenew(), false, 'exactly leaseDuration is not yet expired');
    b.time.advance(1);
    assert.equal(await b.election.tryAcquireOrRenew(), true);
    assert.deepEqual(b.events, ['started']);
    const taken = storedLease(fake);
    assert.deepEqual(taken.spec, {
      holderIdentity: 'b',
      leaseDurationSeconds: 15,
      acquireTime: '2025-03-01T12:00:15.001000Z',
      renewTime: '2025-03-01T12:00:15.001000Z',
      leaseTransitions: 1,
    });

    a.time.advance(2000);
    assert.equal(await a.election.tryAcquireOrRenew(), false);
    assert.equal(a.election.leading, false);
    assert.deepEqual(a.events, ['started', `stopped: Lease ${NAMESPACE}/${LEASE} is now held by b`]);
    assert.equal(storedLease(fake).metadata.resourceVersion, taken.metadata.resourceVersion, 'the old leader wrote nothing');
  });

  for (const [skew, renewTime] of [
    ['an hour behind', '2025-03-01T11:00:00.000000Z'],
    ['an hour ahead', '2025-03-01T13:00:00.000000Z'],
  ]) {
    it(`judges expiry by its own clock: a holder's renewTime ${skew} neither hastens nor delays a takeover`, async () => {
      fake.put(GROUP, 'v1', 'leases', {
        metadata: { name: LEASE, namespace: NAMESPACE },
        spec: { holderIdentity: 'ghost', leaseDurationSeconds: 15, acquireTime: renewTime, renewTime, leaseTransitions: 3 },
      });
      const b = replica(fake.url, 'b');
      assert.equal(await b.election.tryAcquireOrRenew(), false, 'a lease first seen now is not expired yet');
      b.time.advance(15_001);
      assert.equal(await b.election.tryAcquireOrRenew(), true);
      assert.deepEqual([storedLease(fake).spec.holderIdentity, storedLease(fake).spec.leaseTransitions], ['b', 4]);
    });
  }

  it('stops leading once renewals have failed for renewDeadline, before the lease can expire, and leads again when they succeed', async () => {
    const a = replica(fake.url, 'a');
    assert.equal(await a.election.tryAcquireOrRenew(), true);
    for (let second = 2; second <= 8; second += 2) {
      fake.failNext(serverError);
      a.time.advance(2000);
      assert.equal(await a.election.tryAcquireOrRenew(), false);
      assert.equal(a.election.leading, true, `still leading ${second} s after the last renewal`);
    }
    fake.failNext(serverError);
    a.time.advance(2000);
    assert.equal(a.election.leading, false, 'stopped at renewDeadline (10 s), while the lease is valid for 15 s');
    assert.equal(await a.election.tryAcquireOrRenew(), false);
    assert.deepEqual(a.events, ['started', `stopped: Lease ${NAMESPACE}/${LEASE} could not be renewed within 10 s`]);
    assert.equal(a.errors.length, 5);
    for (const message of a.errors) {
      assert.equal(
        message,
        `Lease ${NAMESPACE}/${LEASE}: cannot renew: the API server answered HTTP 500: InternalError: etcdserver: request timed out`,
      );
    }

    a.time.advance(2000);
    assert.equal(await a.election.tryAcquireOrRenew(), true, 'the lease is still ours: renewed');
    assert.deepEqual(a.events.slice(2), ['started']);
  });

  it('steps down on the first failed renewal after a stall that outlasted renewDeadline', async () => {
    const a = replica(fake.url, 'a');
    assert.equal(await a.election.tryAcquireOrRenew(), true);
    a.time.jump(11_000);
    fake.failNext(serverError);
    assert.equal(await a.election.tryAcquireOrRenew(), false);
    assert.equal(a.election.leading, false);
    assert.deepEqual(a.events, ['started', `stopped: Lease ${NAMESPACE}/${LEASE} could not be renewed within 10 s`]);
    assert.deepEqual(a.time.pending(), [], 'no watchdog or request timeout left behind');
  });

  it('stops leading at renewDeadline while a renewal hangs, and abandons the hung request', async () => {
    const gate = await startGate(fake.url);
    try {
      const a = replica(gate.url, 'a');
      assert.equal(await a.election.tryAcquireOrRenew(), true);
      gate.hold(true);
      const held = gate.held();
      const renewal = a.election.tryAcquireOrRenew();
      await held;
      a.time.advance(10_000);
      assert.equal(a.election.leading, false, 'stopped without waiting for the API server');
      assert.equal(await renewal, false);
      assert.deepEqual(a.events, ['started', `stopped: Lease ${NAMESPACE}/${LEASE} could not be renewed within 10 s`]);
      assert.match(a.errors.join('\n'), /gave up waiting for the API server \(renewDeadline 10 s\)/);

      gate.hold(false);
      a.time.advance(2000);
      assert.equal(await a.election.tryAcquireOrRenew(), true);
      assert.equal(a.election.leading, true);
    } finally {
      await gate.close();
    }
  });

  it('abandons a hung request after renewDeadline as a follower too, and when stopping', async () => {
    const gate = await startGate(fake.url);
    try {
      const b = replica(gate.url, 'b');
      gate.hold(true);
      let held = gate.held();
      const attempt = b.election.tryAcquireOrRenew();
      await held;
      b.time.advance(10_000);
      assert.equal(await attempt, false);
      assert.deepEqual(b.errors, [`Lease ${NAMESPACE}/${LEASE}: gave up waiting for the API server (renewDeadline 10 s)`]);

      held = gate.held();
      const stopping = b.election.stop();
      await held;
      b.time.advance(10_000);
      await stopping;
      assert.equal(b.errors[1], `Lease ${NAMESPACE}/${LEASE}: cannot release: no answer from the API server within 10 s`);
      assert.deepEqual(b.time.pending(), []);
    } finally {
      await gate.close();
    }
  });

  it('stop() stops acting first, then releases the lease so another replica acquires it at once', async () => {
    let finishStopping: (() => void) | undefined;
    const a = replica(fake.url, 'a', { onStoppedLeading: () => new Promise<void>((resolve) => (finishStopping = resolve)) });
    const b = replica(fake.url, 'b');
    assert.equal(await a.election.tryAcquireOrRenew(), true);
    assert.equal(await b.election.tryAcquireOrRenew(), false);

    const stopping = a.election.stop();
    assert.equal(a.election.leading, false);
    assert.ok(finishStopping, 'onStoppedLeading was called');
    // While the controller is still finishing its work, the lease stays ours: several round trips
    // to the API server later, nobody else could have taken it.
    const reader = kubeConfigFor(fake.url).makeApiClient(CoordinationV1Api);
    for (let i = 0; i < 3; i++) {
      const lease = await reader.readNamespacedLease({ name: LEASE, namespace: NAMESPACE });
      assert.equal(lease.spec?.holderIdentity, 'a');
    }
    finishStopping();
    await stopping;
    assert.deepEqual(storedLease(fake).spec, { leaseDurationSeconds: 15, leaseTransitions: 0 });
    assert.deepEqual(a.time.pending(), []);
    const requests = fake.requests.length;
    assert.equal(await a.election.tryAcquireOrRenew(), false, 'a stopped election does not compete');
    assert.equal(fake.requests.length, requests);

    assert.equal(await b.election.tryAcquireOrRenew(), true, 'no waiting for expiry');
    assert.deepEqual([storedLease(fake).spec.holderIdentity, storedLease(fake).spec.leaseTransitions], ['b', 1]);
  });

  it('lets exactly one of two replicas racing to create the Lease lead', async () => {
    for (let round = 0; round < 5; round++) {
      const name = `race-${round}`;
      const [a, b] = [replica(fake.url, 'a', { name }), replica(fake.url, 'b', { name })];
      const won = await Promise.all([a.election.tryAcquireOrRenew(), b.election.tryAcquireOrRenew()]);
      assert.deepEqual(won.filter(Boolean).length, 1, `round ${round}: ${JSON.stringify(won)}`);
      const winner = won[0] ? a : b;
      const loser = won[0] ? b : a;
      assert.deepEqual([winner.election.leading, loser.election.leading], [true, false]);
      assert.equal(storedLease(fake, name).spec.holderIdentity, won[0] ? 'a' : 'b');
      assert.deepEqual([...a.errors, ...b.errors], []);
    }
    assert.ok(
      fake.requests.some((r) => r.method === 'POST' && r.status === 409),
      'the creates did race',
    );
  });

  it('runs on its own timers once started, renewing every retryPeriod and reporting errors instead of throwing', async () => {
    const a = replica(fake.url, 'a');
    a.election.start();
    assert.deepEqual(a.time.pending(), [0], 'the first attempt is immediate');
    let next = a.time.scheduled(2000);
    a.time.advance(0);
    await next;
    assert.equal(a.election.leading, true);

    fake.failNext({ method: 'GET', code: 403, reason: 'Forbidden', message: 'leases.coordination.k8s.io "kube-as3-edge" is forbidden' });
    next = a.time.scheduled(2000);
    a.time.advance(2000);
    await next;
    assert.deepEqual(a.errors, [
      `Lease ${NAMESPACE}/${LEASE}: cannot read: the API server answered HTTP 403: Forbidden: leases.coordination.k8s.io "kube-as3-edge" is forbidden`,
    ]);
    assert.equal(a.election.leading, true, 'one failure within renewDeadline');

    next = a.time.scheduled(2000);
    a.time.advance(2000);
    await next;
    assert.equal(storedLease(fake).spec.renewTime, '2025-03-01T12:00:04.000000Z');

    await a.election.stop();
    assert.deepEqual(a.time.pending(), []);
    assert.deepEqual(a.events, ['started', 'stopped: the controller is stopping']);
  });

  it('writes back an acquireTime read as a Date (as a later client-node may return it) with microsecond precision', async () => {
    const sent: unknown[] = [];
    const stored: V1Lease = {
      metadata: { name: LEASE, namespace: NAMESPACE, resourceVersion: '7' },
      spec: {
        holderIdentity: 'a',
        leaseDurationSeconds: 15,
        acquireTime: new Date('2025-03-01T11:59:00.250Z'),
        renewTime: new Date('2025-03-01T11:59:58Z'),
        leaseTransitions: 2,
      },
    };
    const api = {
      readNamespacedLease: () => Promise.resolve(stored),
      replaceNamespacedLease: ({ body }: { body: V1Lease }) => {
        sent.push(JSON.parse(JSON.stringify(body)));
        return Promise.resolve({ ...body, metadata: { ...body.metadata, resourceVersion: '8' } });
      },
    } as unknown as CoordinationV1Api;
    const a = replica(fake.url, 'a', { api });
    assert.equal(await a.election.tryAcquireOrRenew(), true);
    assert.deepEqual(sent, [
      {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: LEASE, namespace: NAMESPACE, resourceVersion: '7' },
        spec: {
          holderIdentity: 'a',
          leaseDurationSeconds: 15,
          acquireTime: '2025-03-01T11:59:00.250000Z',
          renewTime: '2025-03-01T12:00:00.000000Z',
          leaseTransitions: 2,
        },
      },
    ]);
  });

  it('refuses timings under which a leader could still act after its lease expired', () => {
    const base = {
      api: kubeConfigFor(fake.url).makeApiClient(CoordinationV1Api),
      namespace: NAMESPACE,
      name: LEASE,
      identity: 'a',
      onStartedLeading: () => {},
      onStoppedLeading: () => {},
    };
    const cases: Array<[Partial<LeaderElectionOptions>, RegExp]> = [
      [{ leaseDurationSeconds: 10, renewDeadlineSeconds: 10 }, /renewDeadlineSeconds must be less than leaseDurationSeconds/],
      [{ renewDeadlineSeconds: 2 }, /retryPeriodSeconds must be less than renewDeadlineSeconds/],
      [{ retryPeriodSeconds: 0 }, /retryPeriodSeconds must be a positive number/],
      [{ identity: '' }, /identity must not be empty/],
    ];
    for (const [options, error] of cases) assert.throws(() => new LeaderElection({ ...base, ...options }), error);
  });
});
