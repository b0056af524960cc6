/**
 * `kube-as3 plan` with several clusters (docs/multi-cluster.md, §9): `--cluster NAME=PATH`, the configured or
 * implicit cluster set, `-f` as the local cluster, unreadable clusters, the extended ConfigMap and
 * the POOL SHARES summary. Runs the CLI in-process over inputs written to a temporary directory.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertOfficialSchemaValid, projectSchemaErrors } from './support/as3-validation.js';
import { runCliCaptured } from './support/run-cli.js';

const VIRTUAL = `apiVersion: cis.f5.com/v1
kind: VirtualServer
metadata: {name: shop, namespace: shop, labels: {f5cr: "true"}}
spec:
  host: shop.example.com
  virtualServerAddress: 10.8.20.1
  pools:
  - {path: /, service: web, servicePort: 80}
`;

/** Service shop/web with one ready endpoint per address (target port 8080). */
function web(addresses: string[]): string {
  return `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {type: ClusterIP, ports: [{name: http, port: 80, targetPort: 8080, protocol: TCP}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints:
${addresses.map((a) => `- {addresses: [${a}], conditions: {ready: true}}`).join('\n')}
`;
}

/** An extended ConfigMap (kube-system/cis-ext) with the given `extendedSpec` text. */
function extendedConfigMap(spec: string): string {
  return `apiVersion: v1
kind: ConfigMap
metadata: {name: cis-ext, namespace: kube-system}
data:
  extendedSpec: |
${spec
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
`;
}

interface Fixture {
  root: string;
  /** Writes `objects.yaml` into a new cluster directory and gives the directory. */
  cluster(name: string, ...documents: string[]): string;
  /** Writes kube-as3.yaml (pod members: `poolMemberType: cluster`, then `text`) and gives its path. */
  config(text: string): string;
}

const roots: string[] = [];

function fixture(): Fixture {
  const root = mkdtempSync(join(tmpdir(), 'kube-as3-mc-'));
  roots.push(root);
  return {
    root,
    cluster(name, ...documents) {
      const dir = join(root, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'objects.yaml'), documents.join('---\n'));
      return dir;
    },
    config(text) {
      const path = join(root, 'kube-as3.yaml');
      writeFileSync(path, `poolMemberType: cluster\n${text}`);
      return path;
    },
  };
}

interface MemberEntry {
  servicePort: number;
  serverAddresses: string[];
  remark?: string;
  adminState?: string;
}

/** The members of pool web_80_shop: `remark: addresses` per member entry. */
function webPool(stdout: string): string[] {
  const declaration = JSON.parse(stdout) as { declaration: Record<string, Record<string, Record<string, { members: MemberEntry[] }>>> };
  const pool = declaration.declaration['kubernetes']?.['crd_10_8_20_1_80']?.['web_80_shop'];
  assert.ok(pool, 'pool web_80_shop is in the declaration');
  return pool.members.map((m) => `${m.remark ?? '-'}: ${m.serverAddresses.join(' ')}${m.adminState ? ` (${m.adminState})` : ''}`);
}

describe('kube-as3 plan with several clusters', () => {
  after(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  it("--cluster without multiCluster in the config: an active-active pool of every cluster's members", async () => {
    const f = fixture();
    const east = f.cluster('east', VIRTUAL, web(['10.1.0.1', '10.1.0.2']));
    const west = f.cluster('west', VIRTUAL, web(['10.2.0.1']));
    const run = await runCliCaptured(['plan', '--config', f.config(''), '--cluster', `east=${east}`, '--cluster', `west=${west}`]);
    assert.equal(run.stderr, '');
    assert.equal(run.code, 0);
    assert.deepEqual(webPool(run.stdout), ['cluster east: 10.1.0.1 10.1.0.2', 'cluster west: 10.2.0.1']);
  });

  it('takes the resources from the first cluster that has them, and members from every cluster with the Service', async () => {
    const f = fixture();
    const east = f.cluster('east', web(['10.1.0.1']));
    const west = f.cluster('west', VIRTUAL, web(['10.2.0.1']));
    const run = await runCliCaptured(['plan', '--config', f.config(''), '--cluster', `east=${east}`, '--cluster', `west=${west}`]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(webPool(run.stdout), ['cluster east: 10.1.0.1', 'cluster west: 10.2.0.1']);
  });

  const usage: Array<[string, string[], RegExp]> = [
    [
      'a --cluster value without NAME=',
      ['--cluster', '/some/dir'],
      /^error: --cluster \/some\/dir: expected NAME=PATH \(NAME: lower-case letters, digits and -\)\n$/,
    ],
    ['a --cluster name that is not a DNS label', ['--cluster', 'East=/some/dir'], /^error: --cluster East=\/some\/dir: expected NAME=PATH/],
  ];
  for (const [what, args, message] of usage) {
    it(`exits 1 on ${what}`, async () => {
      const run = await runCliCaptured(['plan', ...args]);
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, message);
    });
  }

  it('exits 1 when a --cluster name is not in the configured cluster set', async () => {
    const f = fixture();
    const config = f.config('multiCluster:\n  mode: active-active\n  clusters: [{name: east}, {name: west}]\n');
    const east = f.cluster('east', VIRTUAL, web(['10.1.0.1']));
    const run = await runCliCaptured(['plan', '--config', config, '--cluster', `east=${east}`, '--cluster', `north=${east}`]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, 'error: --cluster north: not in the cluster set (east, west)\n');
  });

  it("plans a configured cluster with a file that cannot be read as unreadable, with the other clusters' members", async () => {
    const f = fixture();
    const config = f.config('multiCluster:\n  mode: active-active\n  clusters: [{name: east}, {name: west}, {name: south}]\n');
    const east = f.cluster('east', VIRTUAL, web(['10.1.0.1']));
    const west = f.cluster('west', web(['10.2.0.1']));
    const south = f.cluster('south', web(['10.3.0.1']));
    const dangling = join(south, 'more.yaml');
    symlinkSync(join(f.root, 'gone.yaml'), dangling);
    const run = await runCliCaptured([
      'plan',
      '--config',
      config,
      '--cluster',
      `east=${east}`,
      '--cluster',
      `west=${west}`,
      '--cluster',
      `south=${south}`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(webPool(run.stdout), ['cluster east: 10.1.0.1', 'cluster west: 10.2.0.1']);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.ok(lines[0]?.startsWith(`Cluster south: warning: cannot be read (${dangling}: cannot read: ENOENT); `), lines[0]);
  });

  it('exits 1 when a --cluster path does not exist or holds no input file, naming each', async () => {
    const f = fixture();
    const config = f.config('multiCluster:\n  mode: active-active\n  clusters: [{name: east}, {name: west}, {name: south}]\n');
    const east = f.cluster('east', VIRTUAL, web(['10.1.0.1']));
    const west = join(f.root, 'west-notes');
    mkdirSync(west);
    writeFileSync(join(west, 'README.md'), 'not an input\n');
    const missing = join(f.root, 'no-such-dir');
    const run = await runCliCaptured([
      'plan',
      '--config',
      config,
      '--cluster',
      `east=${east}`,
      '--cluster',
      `west=${west}`,
      '--cluster',
      `south=${missing}`,
    ]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr,
      [
        `error: --cluster west=${west}: holds no .yaml, .yml or .json file; nothing was planned, since without it what it describes would look deleted`,
        `error: --cluster south=${missing}: does not exist; nothing was planned, since without it what it describes would look deleted`,
        '',
      ].join('\n'),
    );
  });

  it('reports a configured cluster given no --cluster at all as unreadable too', async () => {
    const f = fixture();
    const config = f.config('multiCluster:\n  mode: ratio\n  clusters: [{name: east}, {name: west}]\n');
    const run = await runCliCaptured(['plan', '--config', config, '--cluster', `east=${f.cluster('east', VIRTUAL, web(['10.1.0.1']))}`]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^Cluster west: warning: cannot be read \(no input was given for it\); /);
    assert.deepEqual(
      webPool(run.stdout).map((m) => m.split(':')[0]),
      ['cluster east'],
    );
  });

  it('-f feeds the local cluster beside --cluster', async () => {
    const f = fixture();
    const config = f.config(
      'multiCluster:\n  mode: active-active\n  localClusterName: west\n  clusters: [{name: east}, {name: west, adminState: disable}]\n',
    );
    const east = f.cluster('east', VIRTUAL, web(['10.1.0.1']));
    const local = f.cluster('local', web(['10.2.0.1', '10.2.0.2']));
    const run = await runCliCaptured(['plan', '--config', config, '-f', local, '--cluster', `east=${east}`]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.deepEqual(webPool(run.stdout), ['cluster east: 10.1.0.1', 'cluster west: 10.2.0.1 10.2.0.2 (disable)']);
  });

  it('-f beside --cluster without a configured set: -f is a cluster of its own, "local", listed first', async () => {
    const f = fixture();
    const local = f.cluster('here', VIRTUAL, web(['10.1.0.1']));
    const west = f.cluster('west', VIRTUAL, web(['10.2.0.1']));
    const run = await runCliCaptured(['plan', '--config', f.config(''), '-f', local, '--cluster', `west=${west}`]);
    assert.equal(run.stderr, '');
    assert.deepEqual(webPool(run.stdout), ['cluster local: 10.1.0.1', 'cluster west: 10.2.0.1']);
  });

  describe('multiCluster.extendedSpecConfigMap', () => {
    const config = 'multiCluster:\n  localClusterName: east\n  extendedSpecConfigMap: kube-system/cis-ext\n';

    it("takes the cluster set from the ConfigMap in the local cluster's inputs", async () => {
      const f = fixture();
      const spec = 'mode: active-active\nexternalClustersConfig:\n- clusterName: west\n  secret: kube-system/west-kubeconfig';
      const east = f.cluster('east', extendedConfigMap(spec), VIRTUAL, web(['10.1.0.1']));
      const west = f.cluster('west', web(['10.2.0.1']));
      const run = await runCliCaptured(['plan', '--config', f.config(config), '--cluster', `east=${east}`, '--cluster', `west=${west}`]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(webPool(run.stdout), ['cluster east: 10.1.0.1', 'cluster west: 10.2.0.1']);
    });

    it("exits 1 when the ConfigMap is not among the local cluster's inputs", async () => {
      const f = fixture();
      const east = f.cluster('east', VIRTUAL, web(['10.1.0.1']));
      const run = await runCliCaptured(['plan', '--config', f.config(config), '--cluster', `east=${east}`]);
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      assert.equal(
        run.stderr,
        "error: multiCluster.extendedSpecConfigMap: ConfigMap kube-system/cis-ext is not among the local cluster's inputs\n",
      );
    });

    it('exits 1 naming the reason when the local cluster holding the ConfigMap cannot be read', async () => {
      const f = fixture();
      const east = f.cluster('east', VIRTUAL);
      symlinkSync(join(f.root, 'gone.yaml'), join(east, 'dangling.yaml'));
      const run = await runCliCaptured(['plan', '--config', f.config(config), '--cluster', `east=${east}`]);
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        /^error: multiCluster\.extendedSpecConfigMap: the local cluster east, which holds ConfigMap kube-system\/cis-ext, cannot be read \(.*dangling\.yaml: cannot read: ENOENT\)$/m,
      );
    });

    it('exits 1 listing the errors of an invalid ConfigMap', async () => {
      const f = fixture();
      const spec = 'mode: sideways\nexternalClustersConfig:\n- clusterName: West_1\n  secret: kube-system/west\n  ratio: 500';
      const east = f.cluster('east', extendedConfigMap(spec), VIRTUAL, web(['10.1.0.1']));
      const run = await runCliCaptured(['plan', '--config', f.config(config), '--cluster', `east=${east}`]);
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      assert.equal(
        run.stderr,
        [
          'error: ConfigMap kube-system/cis-ext (multiCluster.extendedSpecConfigMap) is invalid:',
          '  data.extendedSpec.mode: must be one of "default", "active-active", "active-standby", "ratio"',
          '  data.extendedSpec.externalClustersConfig[0].clusterName: must be a DNS label (lower-case letters, digits and "-", at most 63 characters)',
          '  data.extendedSpec.externalClustersConfig[0].ratio: must be an integer from 0 to 100',
        ].join('\n') + '\n',
      );
    });
  });

  it("-o summary prints the POOL SHARES section with each cluster's members and state", async () => {
    const f = fixture();
    const config = f.config('multiCluster:\n  mode: ratio\n  clusters: [{name: east, ratio: 3}, {name: west, ratio: 1}]\n');
    const east = f.cluster('east', VIRTUAL, web(['10.1.0.1', '10.1.0.2']));
    const west = f.cluster('west', web(['10.2.0.1']));
    const run = await runCliCaptured([
      'plan',
      '--config',
      config,
      '--cluster',
      `east=${east}`,
      '--cluster',
      `west=${west}`,
      '-o',
      'summary',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const section = run.stdout.split('\nPOOL SHARES (effective: share of new connections with every member up)\n')[1];
    assert.ok(section, run.stdout);
    const [header, ...rows] = section.trimEnd().split('\n');
    assert.match(header ?? '', /^TENANT\s+VIRTUAL\s+POOL\s+MECHANISM\s+CLUSTER\s+BACKEND\s+MEMBERS\s+CONFIGURED\s+EFFECTIVE\s+STATE$/);
    assert.deepEqual(
      rows.map((r) => r.split(/\s{2,}/)),
      [
        ['kubernetes', 'crd_10_8_20_1_80', 'web_80_shop', 'member ratios', 'east', 'shop/web:80', '2', '75%', '75%', 'enable'],
        ['kubernetes', 'crd_10_8_20_1_80', 'web_80_shop', 'member ratios', 'west', 'shop/web:80', '1', '25%', '25%', 'enable'],
      ],
    );
  });

  describe('the bundled example (examples/multi-cluster)', () => {
    let declaration: unknown;

    it('plans without a problem, into a declaration the project schema accepts', async () => {
      const run = await runCliCaptured([
        'plan',
        '--config',
        'examples/multi-cluster/kube-as3.yaml',
        '--cluster',
        'east=examples/multi-cluster/east',
        '--cluster',
        'west=examples/multi-cluster/west',
      ]);
      assert.deepEqual([run.code, run.stderr], [0, '']);
      declaration = JSON.parse(run.stdout) as unknown;
      assert.equal(projectSchemaErrors(declaration), '');
    });

    it('plans a declaration the official AS3 schema accepts', function () {
      assert.ok(declaration !== undefined, 'the plan above failed');
      assertOfficialSchemaValid(this, declaration);
    });
  });
});
