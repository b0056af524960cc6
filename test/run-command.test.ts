/**
 * `kube-as3 run` as the binary starts it (config file, kubeconfig file, credentials directory),
 * against the fake API server and the fake BIG-IP; stopped through its abort signal as SIGTERM does.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runController } from '../src/cli/run-command.js';
import { startFakeBigip } from './support/fake-bigip.js';
import type { FakeBigip } from './support/fake-bigip.js';
import { startFakeKubeApi } from './support/fake-kube-api.js';
import type { FakeKubeApi } from './support/fake-kube-api.js';
import { recordingLog } from './support/recording-log.js';

describe('kube-as3 run', () => {
  let kube: FakeKubeApi;
  let bigip: FakeBigip;
  let dir: string;
  const io = {
    out: '',
    err: '',
    stdout(t: string) {
      this.out += t;
    },
    stderr(t: string) {
      this.err += t;
    },
  };

  beforeEach(async () => {
    kube = await startFakeKubeApi();
    bigip = await startFakeBigip({ asyncPollsBeforeDone: 0 });
    dir = mkdtempSync(join(tmpdir(), 'kube-as3-run-'));
    io.out = '';
    io.err = '';
    writeFileSync(join(dir, 'username'), 'admin\n');
    writeFileSync(join(dir, 'password'), 'admin\n');
    writeFileSync(
      join(dir, 'kube-as3.yaml'),
      `poolMemberType: cluster\nbigip: {partition: shop, url: ${bigip.url}}\nas3: {instance: it}\n`,
    );
    writeFileSync(
      join(dir, 'kubeconfig'),
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: fake',
        `clusters: [{name: fake, cluster: {server: "${kube.url}", insecure-skip-tls-verify: true}}]`,
        'users: [{name: tester, user: {token: fake-token}}]',
        'contexts: [{name: fake, context: {cluster: fake, user: tester}}]',
      ].join('\n'),
    );
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
    await bigip.close();
    await kube.close();
  });

  it('watches the cluster, updates the BIG-IP, serves /readyz and /metrics, and stops on its signal with exit 0', async () => {
    const stop = new AbortController();
    const log = recordingLog();
    const exit = runController(
      {
        config: join(dir, 'kube-as3.yaml'),
        kubeconfig: join(dir, 'kubeconfig'),
        bigipCredentialsDir: dir,
        port: '0',
        namespace: 'kube-as3',
      },
      io,
      stop.signal,
      log,
    );
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
    assert.equal(
      await runController(
        { config: join(dir, 'kube-as3.yaml'), kubeconfig: join(dir, 'missing'), bigipCredentialsDir: dir, port: '0' },
        io,
        stop.signal,
        log,
      ),
      1,
    );
    assert.match(io.err, /^error: .*missing/m);
    assert.equal(bigip.posts.length, 0);
  });

  it('--manifests DIR: follows a folder instead of a cluster; a broken file leaves the BIG-IP as it is until fixed', async () => {
    const manifests = join(dir, 'manifests');
    mkdirSync(manifests);
    const objects = (pods: string[]): string =>
      [
        'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{name: http, port: 80, targetPort: 8080}]}',
        `apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-a, namespace: shop, labels: {kubernetes.io/service-name: web}}\naddressType: IPv4\nports: [{name: http, port: 8080}]\nendpoints: [${pods.map((p) => `{addresses: [${p}]}`).join(', ')}]`,
        'apiVersion: cis.f5.com/v1\nkind: VirtualServer\nmetadata: {name: web, namespace: shop, labels: {f5cr: "true"}}\nspec: {host: web.example.com, virtualServerAddress: 10.1.1.1, pools: [{path: /, service: web, servicePort: 80}]}',
      ].join('\n---\n');
    writeFileSync(join(manifests, 'objects.yaml'), objects(['172.16.0.1']));
    const stop = new AbortController();
    const log = recordingLog();
    const exit = runController(
      { config: join(dir, 'kube-as3.yaml'), manifests, bigipCredentialsDir: dir, port: '0' },
      io,
      stop.signal,
      log,
    );
    await log.waitFor('BIG-IP updated');
    assert.match(JSON.stringify(bigip.tenants()['shop']), /172\.16\.0\.1/);

    const members = (): string => JSON.stringify(bigip.tenants()['shop']);
    writeFileSync(join(manifests, 'objects.yaml'), 'kind: [unclosed');
    await log.waitFor(/^File .*objects\.yaml: invalid YAML .*; the manifests are not read again until it is fixed$/);
    assert.match(members(), /172\.16\.0\.1/, 'the broken file did not delete anything');
    const mark = log.lines.length;
    writeFileSync(join(manifests, 'objects.yaml'), objects(['172.16.0.1', '172.16.0.2']));
    await log.waitFor('BIG-IP updated', mark);
    assert.match(members(), /172\.16\.0\.2/);
    const removed = log.lines.length;
    writeFileSync(join(manifests, 'objects.yaml'), objects(['172.16.0.1']).split('\n---\n').slice(0, 2).join('\n---\n'));
    await log.waitFor('BIG-IP updated', removed);
    assert.equal(bigip.tenants()['shop']?.['crd_10_1_1_1_80'], undefined, 'a VirtualServer taken out of the folder is deleted');
    stop.abort();
    assert.equal(await exit, 0, io.err);
  });

  it('--manifests DIR: logs each input mistake once (unknown field, skipped object, a file that is not Kubernetes objects); an emptied folder deletes nothing', async () => {
    const manifests = join(dir, 'manifests');
    mkdirSync(manifests);
    const objects = (pod: string): string =>
      [
        'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{name: http, port: 80, targetPort: 8080}]}',
        `apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-a, namespace: shop, labels: {kubernetes.io/service-name: web}}\naddressType: IPv4\nports: [{name: http, port: 8080}]\nendpoints: [{addresses: [${pod}]}]`,
        'apiVersion: cis.f5.com/v1\nkind: VirtualServer\nmetadata: {name: web, namespace: shop, labels: {f5cr: "true"}}\nspec: {host: web.example.com, virtualServerAddress: 10.1.1.1, pools: [{path: /, service: web, servicePort: 80, loadBalancingMetod: x}]}',
        'apiVersion: cis.f5.com/v1beta1\nkind: TransportServer\nmetadata: {name: old, namespace: shop}\nspec: {}',
      ].join('\n---\n');
    writeFileSync(join(manifests, 'objects.yaml'), objects('172.16.0.1'));
    writeFileSync(join(manifests, 'values.yaml'), 'replicaCount: 2\n');
    const stop = new AbortController();
    const log = recordingLog();
    const exit = runController(
      { config: join(dir, 'kube-as3.yaml'), manifests, bigipCredentialsDir: dir, port: '0' },
      io,
      stop.signal,
      log,
    );
    await log.waitFor('BIG-IP updated');
    assert.ok(bigip.tenants()['shop']?.['crd_10_1_1_1_80'], 'the VirtualServer is applied despite its unknown field');
    const mark = log.lines.length;
    writeFileSync(join(manifests, 'objects.yaml'), objects('172.16.0.2'));
    await log.waitFor('BIG-IP updated', mark);
    const mistakes = [
      'VirtualServer shop/web: warning: spec.pools[0].loadBalancingMetod: unknown field; did you mean loadBalancingMethod?',
      'TransportServer shop/old: warning: apiVersion: cis.f5.com/v1beta1 is not read; kube-as3 reads TransportServer as cis.f5.com/v1, so this object was skipped',
      `File ${join(manifests, 'values.yaml')}: warning: holds no Kubernetes object (no document has kind or metadata); the file was skipped`,
    ];
    for (const line of mistakes) {
      assert.equal(
        log.lines.filter((l) => l.level === 'warn' && l.msg === line).length,
        1,
        `logged once, also after the folder was read again: ${line}`,
      );
    }

    rmSync(join(manifests, 'values.yaml'));
    await log.waitFor(`resolved: ${mistakes[2] ?? ''}`);
    rmSync(join(manifests, 'objects.yaml'));
    await log.waitFor(`${manifests} holds no .yaml, .yml or .json file; the manifests are not read again until it holds them`);
    assert.ok(bigip.tenants()['shop']?.['crd_10_1_1_1_80'], 'an emptied folder did not delete anything');
    stop.abort();
    assert.equal(await exit, 0, io.err);
  });

  const startFails: Array<[string, (root: string) => string]> = [
    ['does not exist', (root) => join(root, 'no-such-dir')],
    [
      'holds no input file',
      (root) => {
        mkdirSync(join(root, 'empty'));
        writeFileSync(join(root, 'empty', 'notes.txt'), 'not an input\n');
        return join(root, 'empty');
      },
    ],
  ];
  for (const [what, folder] of startFails) {
    it(`--manifests DIR: exits 1 when the folder ${what} (nothing would be planned, and everything deleted)`, async () => {
      const log = recordingLog();
      const code = await runController(
        { config: join(dir, 'kube-as3.yaml'), manifests: folder(dir), bigipCredentialsDir: dir, port: '0' },
        io,
        new AbortController().signal,
        log,
      );
      assert.equal(code, 1);
      assert.match(io.err, /^error: the manifests in .* cannot all be read; fix them and start again$/m);
      assert.equal(bigip.posts.length, 0, 'nothing was posted');
    });
  }

  it('with a CIS extended ConfigMap: reads the cluster set and the remote kubeconfig Secret from the local cluster, and pools both clusters', async () => {
    const west = await startFakeKubeApi();
    try {
      west.put('', 'v1', 'services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'shop' },
        spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      });
      const slice = (pod: string): Record<string, unknown> => ({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'web-a', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080 }],
        endpoints: [{ addresses: [pod], conditions: { ready: true } }],
      });
      west.put('discovery.k8s.io', 'v1', 'endpointslices', slice('172.17.0.1'));
      kube.put('discovery.k8s.io', 'v1', 'endpointslices', slice('172.16.0.1'));
      const westConfig = [
        'apiVersion: v1',
        'kind: Config',
        'current-context: west',
        `clusters: [{name: west, cluster: {server: "${west.url}", insecure-skip-tls-verify: true}}]`,
        'users: [{name: tester, user: {token: west-token}}]',
        'contexts: [{name: west, context: {cluster: west, user: tester}}]',
      ].join('\n');
      kube.put('', 'v1', 'secrets', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'west-kubeconfig', namespace: 'kube-system' },
        data: { kubeconfig: Buffer.from(westConfig).toString('base64') },
      });
      kube.put('', 'v1', 'configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cis-ext', namespace: 'kube-system', labels: { f5nr: 'true' } },
        data: {
          extendedSpec: 'mode: active-active\nexternalClustersConfig:\n- clusterName: west\n  secret: kube-system/west-kubeconfig\n',
        },
      });
      writeFileSync(
        join(dir, 'kube-as3.yaml'),
        `poolMemberType: cluster\nbigip: {partition: shop, url: ${bigip.url}}\nas3: {instance: it}\nmultiCluster: {localClusterName: east, extendedSpecConfigMap: kube-system/cis-ext}\n`,
      );
      const stop = new AbortController();
      const log = recordingLog();
      const exit = runController(
        {
          config: join(dir, 'kube-as3.yaml'),
          kubeconfig: join(dir, 'kubeconfig'),
          bigipCredentialsDir: dir,
          port: '0',
          namespace: 'kube-as3',
        },
        io,
        stop.signal,
        log,
      );
      await log.waitFor('BIG-IP updated');
      const pool = (
        bigip.tenants()['shop']?.['crd_10_1_1_1_80'] as Record<string, { members: Array<{ serverAddresses: string[]; remark?: string }> }>
      )['web_80_shop'];
      assert.deepEqual(
        pool?.members.map((m) => `${m.remark ?? ''} ${m.serverAddresses.join(',')}`),
        ['cluster east 172.16.0.1', 'cluster west 172.17.0.1'],
      );
      stop.abort();
      assert.equal(await exit, 0, io.err);
    } finally {
      await west.close();
    }
  });

  it('exits 1 naming the cluster when a remote cluster has no kubeconfig', async () => {
    writeFileSync(
      join(dir, 'kube-as3.yaml'),
      `bigip: {partition: shop, url: ${bigip.url}}\nmultiCluster: {clusters: [{name: east}, {name: west}]}\n`,
    );
    const code = await runController(
      { config: join(dir, 'kube-as3.yaml'), kubeconfig: join(dir, 'kubeconfig'), bigipCredentialsDir: dir, port: '0' },
      io,
      new AbortController().signal,
      recordingLog(),
    );
    assert.equal(code, 1);
    assert.match(io.err, /^error: multiCluster\.clusters west: set kubeconfigFile or kubeconfigSecret/m);
  });
});
