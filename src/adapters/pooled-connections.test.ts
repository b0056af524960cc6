import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { sharedAgent } from './pooled-connections.js';

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

describe('pooled connections', () => {
  it('keeps the first agent of a kubeconfig, with keep-alive, for every later request with the same TLS settings', () => {
    const kc = kubeConfig();
    const first = new Agent({ rejectUnauthorized: false });
    assert.equal(sharedAgent(kc, first), first);
    assert.equal((first as Agent & { keepAlive: boolean }).keepAlive, true);
    assert.equal(sharedAgent(kc, new Agent({ rejectUnauthorized: false })), first);
    assert.equal(sharedAgent(kc, undefined), first);
    assert.notEqual(sharedAgent(kubeConfig(), new Agent({ rejectUnauthorized: false })), first, 'another kubeconfig has its own');
  });

  it('takes a fresh agent whose TLS settings differ (a renewed client certificate)', () => {
    const kc = kubeConfig();
    const first = new Agent({ cert: 'old', key: 'k' });
    sharedAgent(kc, first);
    const renewed = new Agent({ cert: 'new', key: 'k' });
    assert.equal(sharedAgent(kc, renewed), renewed);
    assert.equal(sharedAgent(kc, new Agent({ cert: 'new', key: 'k' })), renewed);
  });
});
