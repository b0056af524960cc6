/**
 * Issue 13.3: no output shows a private key. `diff` (text and `-o json`), `plan -o summary`,
 * `apply`'s output and its error lines (AS3 echoing the declaration included) show a fingerprint
 * marker instead, so a rotation is still visible; the BIG-IP and `plan -o json` (the declaration
 * itself) get the real key.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CoreV1Event } from '@kubernetes/client-node';
import { KubeEventRecorder } from '../src/adapters/kube-event-recorder.js';
import { controllerLogger } from '../src/cli/run-command.js';
import { desiredStatuses } from '../src/status/resource-status.js';
import { SHOP_CERT, SHOP_KEY, WILDCARD_CERT, WILDCARD_KEY } from './support/certificates.js';
import { startFakeBigip } from './support/fake-bigip.js';
import type { FakeBigip } from './support/fake-bigip.js';
import { runCliCaptured } from './support/run-cli.js';

const marker = (value: string): string => `<redacted sha256:${createHash('sha256').update(value).digest('hex').slice(0, 12)}>`;

/** Any line of a key's base64 body: none may appear anywhere. */
function assertNoKey(text: string, where: string): void {
  for (const key of [SHOP_KEY, WILDCARD_KEY]) {
    for (const line of key.split('\n').filter((l) => l !== '' && !l.startsWith('-----'))) {
      assert.ok(!text.includes(line), `${where} shows a private key: ${text}`);
    }
  }
  assert.doesNotMatch(text, /PRIVATE KEY-----\\?n?M/, `${where} shows a key block`);
}

function objects(cert: string, key: string): string {
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'shop-tls', namespace: 'shop' },
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': cert, 'tls.key': key },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-a', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080 }],
      endpoints: [{ addresses: ['172.16.0.1'] }],
    },
    {
      apiVersion: 'cis.f5.com/v1',
      kind: 'TLSProfile',
      metadata: { name: 'edge', namespace: 'shop', labels: { f5cr: 'true' } },
      spec: { hosts: ['shop.example.com'], tls: { termination: 'edge', reference: 'secret', clientSSL: 'shop-tls' } },
    },
    {
      apiVersion: 'cis.f5.com/v1',
      kind: 'VirtualServer',
      metadata: { name: 'shop', namespace: 'shop', labels: { f5cr: 'true' } },
      spec: {
        host: 'shop.example.com',
        virtualServerAddress: '10.1.1.1',
        tlsProfileName: 'edge',
        httpTraffic: 'redirect',
        pools: [{ path: '/', service: 'web', servicePort: 80 }],
      },
    },
  ]
    .map((o) => JSON.stringify(o))
    .join('\n---\n');
}

describe('secrets in output (diff, plan -o summary, apply, errors)', () => {
  let fake: FakeBigip;
  let dir: string;
  beforeEach(async () => {
    fake = await startFakeBigip({ asyncPollsBeforeDone: 0 });
    dir = mkdtempSync(join(tmpdir(), 'kube-as3-secrets-'));
    writeFileSync(join(dir, 'username'), 'admin\n');
    writeFileSync(join(dir, 'password'), 'admin\n');
    writeFileSync(join(dir, 'kube-as3.yaml'), 'poolMemberType: cluster\nbigip: {partition: shop}\nas3: {instance: secrets}\n');
    writeFileSync(join(dir, 'objects.yaml'), objects(SHOP_CERT, SHOP_KEY));
  });
  afterEach(async () => {
    await fake.close();
  });

  const inputs = (): string[] => ['-f', join(dir, 'objects.yaml'), '--config', join(dir, 'kube-as3.yaml')];
  const device = (): string[] => ['--bigip-url', fake.url, '--bigip-credentials-dir', dir];

  it('plan -o json is the declaration and holds the key; plan -o summary does not', async () => {
    const json = await runCliCaptured(['plan', ...inputs()]);
    assert.equal(json.code, 0, json.stderr);
    assert.ok(json.stdout.includes(JSON.stringify(SHOP_KEY).slice(1, -1)), 'the declaration carries the real key');
    const summary = await runCliCaptured(['plan', ...inputs(), '-o', 'summary']);
    assert.equal(summary.code, 0, summary.stderr);
    assertNoKey(summary.stdout + summary.stderr, 'plan -o summary');
  });

  it('diff shows a fingerprint and the certificate, apply posts the real key, and a rotation shows as a new fingerprint', async () => {
    const text = await runCliCaptured(['diff', ...inputs(), ...device()]);
    assert.equal(text.code, 0, text.stderr);
    assertNoKey(text.stdout + text.stderr, 'diff');
    assert.match(
      text.stdout,
      /\+ Certificate \S+ \(CN=shop\.example\.com \(shop\.example\.com, www\.shop\.example\.com\) expires 2126-10-28 sha256:[0-9a-f]{12}\)/,
    );
    const json = await runCliCaptured(['diff', ...inputs(), ...device(), '-o', 'json']);
    assertNoKey(json.stdout + json.stderr, 'diff -o json');
    assert.ok(json.stdout.includes(marker(SHOP_KEY)), json.stdout);

    const apply = await runCliCaptured(['apply', ...inputs(), ...device()]);
    assert.equal(apply.code, 0, apply.stderr);
    assertNoKey(apply.stdout + apply.stderr, 'apply');
    assert.ok(JSON.stringify(fake.tenants()).includes(JSON.stringify(SHOP_KEY).slice(1, -1)), 'the BIG-IP gets the real key');

    writeFileSync(join(dir, 'objects.yaml'), objects(WILDCARD_CERT, WILDCARD_KEY));
    const rotated = await runCliCaptured(['diff', ...inputs(), ...device()]);
    assertNoKey(rotated.stdout + rotated.stderr, 'diff after a rotation');
    assert.ok(rotated.stdout.includes(`privateKey: "${marker(SHOP_KEY)}" → "${marker(WILDCARD_KEY)}"`), rotated.stdout);
    assert.match(
      rotated.stdout,
      /certificate: <certificate CN=shop\.example\.com \(shop\.example\.com, www\.shop\.example\.com\) expires 2126-10-28 sha256:[0-9a-f]{12}> → <certificate CN=\*\.example\.com \(\*\.example\.com\) expires 2126-10-28 sha256:[0-9a-f]{12}>/,
    );
    const patch = await runCliCaptured(['diff', ...inputs(), ...device(), '-o', 'json']);
    assertNoKey(patch.stdout, 'diff -o json after a rotation');
    assert.ok(patch.stdout.includes(marker(WILDCARD_KEY)), patch.stdout);
  });

  it('an AS3 error that echoes the declaration is shown without the key', async () => {
    // Every post is refused with the key echoed back, as AS3 does with declaration fragments.
    fake.failNext(10, 422, {
      code: 422,
      message: 'declaration is invalid',
      errors: [`/shop/crd_10_1_1_1_443/shop_tls: privateKey ${JSON.stringify(SHOP_KEY)} could not be loaded`, `raw ${SHOP_KEY}`],
    });
    const apply = await runCliCaptured(['apply', ...inputs(), ...device()]);
    assert.equal(apply.code, 2, apply.stdout + apply.stderr);
    assert.match(apply.stderr, /AS3 refused the application: .*could not be loaded/);
    assertNoKey(apply.stdout + apply.stderr, 'apply error lines');
    assert.ok(apply.stderr.includes(marker(SHOP_KEY)), apply.stderr);
  });
});

describe('secrets in the controller outputs (logs, statuses, Events)', () => {
  const vs = { kind: 'VirtualServer', namespace: 'shop', name: 'shop' };
  const echoed = `AS3 refused the application: /shop/app/cert: privateKey ${JSON.stringify(SHOP_KEY)} or ${SHOP_KEY} could not be loaded`;

  it('log lines (message and fields) show a fingerprint, never the key', () => {
    const lines: string[] = [];
    const log = controllerLogger({ write: (line: string) => void lines.push(line) });
    log.error({ tenant: 'shop', application: 'app', detail: echoed, privateKey: SHOP_KEY }, echoed);
    assert.equal(lines.length, 1);
    assertNoKey(lines.join(''), 'the log');
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, string>;
    assert.equal(entry['tenant'], 'shop');
    assert.equal(entry['privateKey'], marker(SHOP_KEY));
    assert.ok(entry['msg']?.includes(marker(SHOP_KEY)), entry['msg']);
  });

  it('status.error and Events show a fingerprint, never the key', async () => {
    const [status] = desiredStatuses({
      resources: [{ ref: vs, addresses: ['10.1.1.1'] }],
      problems: [],
      applyProblems: [{ sources: [vs], message: echoed }],
      now: '2026-01-01T00:00:00Z',
    });
    const error = String(status?.status['error']);
    assertNoKey(error, 'status.error');
    assert.ok(error.includes(marker(SHOP_KEY)), error);

    const created: CoreV1Event[] = [];
    const recorder = new KubeEventRecorder({
      api: () => ({ create: (_ns, event) => Promise.resolve(void created.push(event)) }),
      instance: 'it',
      objectOf: () => ({ apiVersion: 'cis.f5.com/v1', kind: 'VirtualServer', metadata: { name: 'shop', namespace: 'shop' } }),
    });
    await recorder.record([{ ref: vs, reason: 'ApplyFailed', message: echoed }]);
    assert.equal(created.length, 1);
    assertNoKey(created[0]?.message ?? '', 'the Event');
    assert.ok(created[0]?.message?.includes(marker(SHOP_KEY)));
  });
});
