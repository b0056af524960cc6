/**
 * A cluster set applied to the fake BIG-IP (test/support/fake-bigip.ts) with `--cluster`: when a
 * cluster's inputs cannot be read (here: a configured cluster given no `--cluster`), its members
 * and applications stay on the device (docs/multi-cluster.md: an unreachable cluster does not empty pools), and
 * come and go again once it can be read. A `--cluster` path that does not exist stops the command.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeBigip } from './support/fake-bigip.js';
import type { FakeBigip } from './support/fake-bigip.js';
import { runCliCaptured } from './support/run-cli.js';

function service(name: string, pods: string[]): string {
  return [
    `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: shop}\nspec: {ports: [{name: http, port: 80, targetPort: 8080}]}`,
    `apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: ${name}-a, namespace: shop, labels: {kubernetes.io/service-name: ${name}}}\naddressType: IPv4\nports: [{name: http, port: 8080}]\nendpoints: [${pods.map((p) => `{addresses: [${p}]}`).join(', ')}]`,
  ].join('\n---\n');
}

function virtualServer(name: string, address: string): string {
  return `apiVersion: cis.f5.com/v1\nkind: VirtualServer\nmetadata: {name: ${name}, namespace: shop, labels: {f5cr: "true"}}\nspec: {host: ${name}.example.com, virtualServerAddress: ${address}, pools: [{path: /, service: ${name}, servicePort: 80}]}`;
}

type Pool = { members: Array<{ serverAddresses: string[]; remark?: string; ratio?: number }> };

describe('kube-as3 apply with a cluster set against a fake BIG-IP', () => {
  let fake: FakeBigip;
  let dir: string;
  const write = (cluster: string, docs: string[]): void => {
    mkdirSync(join(dir, cluster), { recursive: true });
    writeFileSync(join(dir, cluster, 'objects.yaml'), docs.join('\n---\n'));
  };
  /** `--cluster` per cluster given (all by default): a configured cluster without one cannot be read. */
  const run = (command: string, clusters = ['east', 'west']): Promise<{ code: number; stdout: string; stderr: string }> =>
    runCliCaptured([
      command,
      ...clusters.flatMap((c) => ['--cluster', `${c}=${join(dir, c)}`]),
      '--config',
      join(dir, 'kube-as3.yaml'),
      '--bigip-url',
      fake.url,
      '--bigip-credentials-dir',
      dir,
    ]);
  const apply = (clusters?: string[]): ReturnType<typeof run> => run('apply', clusters);
  const pool = (app: string, name: string): Pool => (fake.tenants()['shop']?.[app] as Record<string, Pool>)[name] as Pool;
  const addresses = (p: Pool): string[] => p.members.flatMap((m) => m.serverAddresses.map((a) => `${a} ${m.remark ?? ''}`)).sort();

  beforeEach(async () => {
    fake = await startFakeBigip({ asyncPollsBeforeDone: 0 });
    dir = mkdtempSync(join(tmpdir(), 'kube-as3-mc-apply-'));
    writeFileSync(join(dir, 'username'), 'admin\n');
    writeFileSync(join(dir, 'password'), 'admin\n');
    writeFileSync(
      join(dir, 'kube-as3.yaml'),
      [
        'poolMemberType: cluster',
        'bigip: {partition: shop}',
        'as3: {instance: it}',
        'multiCluster: {mode: ratio, clusters: [{name: east, ratio: 1}, {name: west, ratio: 1}]}',
      ].join('\n'),
    );
    write('east', [virtualServer('web', '10.1.1.1'), service('web', ['172.16.0.1'])]);
    write('west', [virtualServer('blog', '10.1.1.2'), service('blog', ['172.17.1.1']), service('web', ['172.17.0.1'])]);
  });
  afterEach(async () => {
    await fake.close();
  });

  it("keeps an unreadable cluster's members and applications on the BIG-IP until it can be read again", async () => {
    const first = await apply();
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(addresses(pool('crd_10_1_1_1_80', 'web_80_shop')), ['172.16.0.1 cluster east', '172.17.0.1 cluster west']);
    assert.ok(fake.tenants()['shop']?.['crd_10_1_1_2_80'], 'blog, only in west, is applied');

    write('east', [virtualServer('web', '10.1.1.1'), service('web', ['172.16.0.1', '172.16.0.2'])]);
    const blind = await apply(['east']);
    assert.equal(blind.code, 0, blind.stderr);
    assert.match(blind.stderr, /^Cluster west: warning: cannot be read \(no input was given for it\)/m);
    assert.match(
      blind.stderr,
      /^kube-as3: cluster west cannot be read: kept 1 pool member entry and 1 application\(s\) the plan no longer has \(shop\/crd_10_1_1_2_80\)/m,
    );
    assert.deepEqual(
      addresses(pool('crd_10_1_1_1_80', 'web_80_shop')),
      ['172.16.0.1 cluster east', '172.16.0.2 cluster east', '172.17.0.1 cluster west'],
      "east's new pod is added, west's member stays",
    );
    assert.ok(fake.tenants()['shop']?.['crd_10_1_1_2_80'], 'blog is not deleted while west is unknown');

    write('west', [service('web', ['172.17.0.1'])]);
    const back = await apply();
    assert.equal(back.code, 0, back.stderr);
    assert.equal(fake.tenants()['shop']?.['crd_10_1_1_2_80'], undefined, 'west can be read and has no blog: now it is deleted');
    assert.deepEqual(addresses(pool('crd_10_1_1_1_80', 'web_80_shop')), [
      '172.16.0.1 cluster east',
      '172.16.0.2 cluster east',
      '172.17.0.1 cluster west',
    ]);
  });

  it('diff shows the same: nothing removed while a cluster cannot be read', async () => {
    assert.equal((await apply()).code, 0);
    const diff = await run('diff', ['east']);
    assert.equal(diff.code, 0, diff.stderr);
    assert.equal(diff.stdout, 'No changes: the BIG-IP holds the desired state.\n');
  });

  it('a --cluster path that does not exist stops diff and apply (exit 1): planning without it would delete what it describes', async () => {
    assert.equal((await apply()).code, 0);
    const writes = fake.posts.length;
    rmSync(join(dir, 'west'), { recursive: true });
    for (const command of ['diff', 'apply']) {
      const result = await run(command);
      assert.equal(result.code, 1, `${command}: ${result.stderr}`);
      assert.equal(
        result.stderr,
        `error: --cluster west=${join(dir, 'west')}: does not exist; nothing was planned, since without it what it describes would look deleted\n`,
      );
    }
    assert.equal(fake.posts.length, writes, 'nothing was posted');
    assert.ok(fake.tenants()['shop']?.['crd_10_1_1_2_80'], 'blog, only in west, is still applied');
  });
});
