import assert from 'node:assert/strict';
import type { CoreV1Event } from '@kubernetes/client-node';
import type { ObjectRef } from '../kube/refs.js';
import type { KubeObject } from '../kube/types.js';
import { KubeEventRecorder } from './kube-event-recorder.js';
import type { EventApi } from './kube-event-recorder.js';

describe('KubeEventRecorder', () => {
  const vs: KubeObject = {
    apiVersion: 'cis.f5.com/v1',
    kind: 'VirtualServer',
    metadata: { name: 'web', namespace: 'shop', uid: 'u-1', resourceVersion: '7' },
  };
  const ref: ObjectRef = { kind: 'VirtualServer', namespace: 'shop', name: 'web' };

  function recorder(fail = false): { rec: KubeEventRecorder; created: Array<[string, CoreV1Event]>; errors: string[] } {
    const created: Array<[string, CoreV1Event]> = [];
    const errors: string[] = [];
    const api: EventApi = {
      create: (namespace, event) =>
        fail ? Promise.reject(new Error('forbidden')) : Promise.resolve(void created.push([namespace, event])),
    };
    const rec = new KubeEventRecorder({
      api: (cluster) => (cluster === 'gone' ? undefined : api),
      instance: 'it',
      now: () => new Date('2026-11-21T10:00:00Z'),
      objectOf: (r) => (r.name === 'web' ? vs : undefined),
      onError: (_r, err) => void errors.push(err.message),
    });
    return { rec, created, errors };
  }

  it('writes a Warning Event on the resource, naming it by uid, with the reason and the message', async () => {
    const { rec, created } = recorder();
    await rec.record([{ ref, reason: 'InvalidSpec', message: 'spec.pools[0].servicePort: 9999 is not a port of Service shop/web' }]);
    const [namespace, event] = created[0] ?? [];
    assert.equal(namespace, 'shop');
    assert.deepEqual(event?.involvedObject, {
      apiVersion: 'cis.f5.com/v1',
      kind: 'VirtualServer',
      name: 'web',
      namespace: 'shop',
      uid: 'u-1',
      resourceVersion: '7',
    });
    assert.deepEqual(
      [event?.type, event?.reason, event?.count, event?.source?.component, event?.reportingInstance],
      ['Warning', 'InvalidSpec', 1, 'kube-as3', 'it'],
    );
    assert.match(event?.metadata?.name ?? '', /^web\./);
  });

  it('skips what has no object to attach to, cuts long messages, and reports a failing write without throwing', async () => {
    const { rec, created } = recorder();
    await rec.record([
      { ref: { kind: 'File', namespace: '', name: 'x.yaml' }, reason: 'InvalidSpec', message: 'bad' },
      { ref: { ...ref, name: 'vanished' }, reason: 'InvalidSpec', message: 'bad' },
      { ref: { ...ref, cluster: 'gone' }, reason: 'InvalidSpec', message: 'bad' },
      { ref, reason: 'ApplyFailed', message: 'x'.repeat(5000) },
    ]);
    assert.equal(created.length, 1);
    assert.equal(created[0]?.[1].message?.length, 1024);
    const failing = recorder(true);
    await failing.rec.record([{ ref, reason: 'InvalidSpec', message: 'bad' }]);
    assert.deepEqual(failing.errors, ['Event InvalidSpec on VirtualServer shop/web: cannot create: forbidden']);
  });
});
