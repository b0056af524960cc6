/**
 * The Helm chart (helm/kube-as3): lint and render it for the default values (plus the required
 * image.repository), each example values file, and every optional toggle; its RBAC rules are exactly
 * src/controller/rbac-rules.ts; its crds/ are the repo's crds/; the values schema refuses wrong
 * types; and a real API server (envtest) accepts every rendered object, `helm install` and `helm upgrade`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { NAMESPACED_RULES, clusterRules, referencedObjectRules } from '../src/controller/rbac-rules.js';
import type { PolicyRule } from '../src/controller/rbac-rules.js';
import { validateConfig } from '../src/config/parse-config.js';
import { envtestForSuite, helmBinary, kubectl } from './support/envtest.js';
import type { Envtest } from './support/envtest.js';

const root = resolve(import.meta.dirname, '..');
const chart = join(root, 'helm', 'kube-as3');
const image = ['--set', 'image.repository=registry.example.net/kube-as3'];
const allOptions = join(root, 'test', 'helm', 'all-options.values.yaml');
const examples = ['single-cluster', 'multi-cluster'].map((name) => join(root, 'examples', 'helm', `${name}.yaml`));

const helmBin = helmBinary();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
/** Runs helm to its exit (no timing waits). */
function helm(args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(helmBin ?? 'helm', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}
async function helmOk(args: string[]): Promise<string> {
  const r = await helm(args);
  assert.equal(r.code, 0, `helm ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}
function objects(rendered: string): K8sObject[] {
  return parseAllDocuments(rendered)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}
async function render(args: string[], namespace = 'kube-as3'): Promise<K8sObject[]> {
  return objects(await helmOk(['template', 'kube-as3', chart, '--namespace', namespace, ...args]));
}

/** A rule as one comparable line per (group, resource, verb, name): order-insensitive, exact. */
function flat(rules: readonly PolicyRule[]): string[] {
  return rules
    .flatMap((r) =>
      r.apiGroups.flatMap((g) =>
        r.resources.flatMap((res) => r.verbs.flatMap((v) => (r.resourceNames ?? ['*']).map((n) => `${g}|${res}|${v}|${n}`))),
      ),
    )
    .sort();
}
function rulesOf(objs: K8sObject[], kind: string, namespace?: string, suffix = ''): PolicyRule[] {
  const found = objs.filter(
    (o) =>
      o.kind === kind && o.metadata.name.endsWith(`kube-as3${suffix}`) && (namespace === undefined || o.metadata.namespace === namespace),
  );
  assert.equal(found.length, 1, `one ${kind}${suffix} in ${namespace ?? 'the cluster'}`);
  return (found[0] as unknown as { rules: PolicyRule[] }).rules;
}

describe('Helm chart helm/kube-as3', function () {
  before(function () {
    if (!helmBin) {
      console.log('    skipped: helm is neither on PATH nor at ../shared/envtest/bin/helm');
      this.skip();
    }
  });

  it("Chart.yaml: apiVersion v2, appVersion is the package version; crds/ is a copy of the repo's crds/", () => {
    const meta = parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8')) as { apiVersion: string; appVersion: string };
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; files: string[] };
    assert.equal(meta.apiVersion, 'v2');
    assert.equal(meta.appVersion, pkg.version);
    assert.ok(pkg.files.includes('helm'));
    const repo = readdirSync(join(root, 'crds')).sort();
    assert.deepEqual(readdirSync(join(chart, 'crds')).sort(), repo);
    for (const f of repo)
      assert.equal(
        readFileSync(join(chart, 'crds', f), 'utf8'),
        readFileSync(join(root, 'crds', f), 'utf8'),
        `helm/kube-as3/crds/${f} differs from crds/${f}: copy it again`,
      );
  });

  it('lints for the default values, each example, and every option; the example configs are valid kube-as3 configs', async () => {
    await helmOk(['lint', '--strict', chart, ...image]);
    for (const f of examples) await helmOk(['lint', '--strict', chart, '-f', f]);
    // helm lint has no --api-versions: the ServiceMonitor is linted by rendering (the RBAC and envtest tests).
    await helmOk(['lint', '--strict', chart, '-f', allOptions, '--set', 'metrics.serviceMonitor.enabled=false']);
    for (const f of [...examples, allOptions]) {
      const result = validateConfig((parse(readFileSync(f, 'utf8')) as { config: unknown }).config);
      assert.deepEqual(result.errors ?? [], [], f);
    }
  });

  it('the values schema requires image.repository and refuses wrong types and unknown keys', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /image\/repository/],
      [[...image, '--set', 'replicas=two'], /replicas/],
      [[...image, '--set', 'bigip.insecure=maybe'], /insecure/],
      [[...image, '--set', 'replica=2'], /replica/],
      [[...image, '--set', 'networkPolicy.bigip[0].cidr=10.0.0.1/32'], /port/],
    ];
    for (const [args, message] of cases) {
      const r = await helm(['template', 'kube-as3', chart, ...args]);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, message);
    }
    const r = await helm(['template', 'kube-as3', chart, ...image, '--set', 'leaderElection=false']);
    assert.match(r.stderr, /replicas > 1 needs leaderElection/);
  });

  it('default values: a hardened Deployment with 2 replicas, leader election, probes, POD_NAMESPACE, a projected expiring token, the config checksum, spread across nodes', async () => {
    const objs = await render(image);
    const deploy = objs.find((o) => o.kind === 'Deployment') as unknown as {
      spec: {
        replicas: number;
        template: {
          metadata: { annotations: Record<string, string> };
          spec: Record<string, unknown> & { containers: Array<Record<string, unknown>>; volumes: Array<Record<string, unknown>> };
        };
      };
    };
    const pod = deploy.spec.template.spec;
    const c = pod.containers[0] as {
      args: string[];
      env: unknown[];
      securityContext: Record<string, unknown>;
      livenessProbe: { httpGet: { path: string } };
      readinessProbe: { httpGet: { path: string } };
      resources: { requests?: unknown; limits?: unknown };
    };
    assert.equal(deploy.spec.replicas, 2);
    assert.ok(!c.args.includes('--no-leader-election') && !c.args.includes('--insecure'));
    assert.ok(c.args.includes('--bigip-credentials-dir=/etc/kube-as3/bigip'));
    assert.equal(pod['automountServiceAccountToken'], false);
    assert.deepEqual(pod['securityContext'], {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      fsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.deepEqual(c.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.equal(c.livenessProbe.httpGet.path, '/healthz');
    assert.equal(c.readinessProbe.httpGet.path, '/readyz');
    assert.ok(c.resources.requests && c.resources.limits);
    assert.deepEqual(c.env, [{ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }]);
    const token = JSON.stringify(pod.volumes.find((v) => v['name'] === 'kube-api-access'));
    assert.match(token, /"serviceAccountToken":\{"path":"token","expirationSeconds":3600\}/);
    assert.match(deploy.spec.template.metadata.annotations['checksum/config'] ?? '', /^[0-9a-f]{64}$/);
    assert.match(JSON.stringify(pod['topologySpreadConstraints']), /kubernetes\.io\/hostname/);
    assert.deepEqual(objs.map((o) => o.kind).sort(), [
      'ClusterRole',
      'ClusterRoleBinding',
      'ConfigMap',
      'Deployment',
      'PodDisruptionBudget',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ]);
    const other = await render([...image, '--set', 'config.as3.instance=other']);
    const annotation = (list: K8sObject[]): unknown =>
      (
        list.find((o) => o.kind === 'Deployment') as unknown as {
          spec: { template: { metadata: { annotations: Record<string, string> } } };
        }
      ).spec.template.metadata.annotations['checksum/config'];
    assert.notEqual(annotation(other), annotation(objs), 'a config change rolls the pods');
  });

  it('RBAC: the ClusterRole and Roles hold exactly the rules of src/controller/rbac-rules.ts', async () => {
    type MultiCluster = Parameters<typeof referencedObjectRules>[0];
    type Config = { multiCluster?: MultiCluster; poolMemberType?: string };
    const fromFile = (f: string): Config => (parse(readFileSync(f, 'utf8')) as { config: Config }).config;
    const cases: Array<[string[], Config]> = [
      [image, {}],
      [['-f', examples[1] as string], fromFile(examples[1] as string)],
      [['-f', allOptions, '--api-versions', 'monitoring.coreos.com/v1'], fromFile(allOptions)],
      [
        [...image, '--set', 'config.multiCluster.extendedSpecConfigMap=kube-system/extended-spec'],
        { multiCluster: { extendedSpecConfigMap: 'kube-system/extended-spec' } },
      ],
      [[...image, '--set', 'config.poolMemberType=nodeportlocal'], { poolMemberType: 'nodeportlocal' }],
    ];
    for (const [values, { multiCluster, poolMemberType }] of cases) {
      const objs = await render(values);
      assert.deepEqual(
        flat(rulesOf(objs, 'ClusterRole')),
        flat(clusterRules(poolMemberType)),
        `poolMemberType ${poolMemberType ?? '(default)'}`,
      );
      assert.deepEqual(flat(rulesOf(objs, 'Role', 'kube-as3')), flat(NAMESPACED_RULES));
      const expected = referencedObjectRules(multiCluster);
      const rendered = objs.filter((o) => o.kind === 'Role' && o.metadata.name.endsWith('-references'));
      assert.deepEqual(rendered.map((o) => o.metadata.namespace).sort(), [...expected.keys()].sort());
      for (const [namespace, rules] of expected)
        assert.deepEqual(flat(rulesOf(objs, 'Role', namespace, '-references')), flat(rules), namespace);
    }
  });

  describe('against a real API server (envtest)', function () {
    let env: Envtest | undefined;
    before(async function () {
      env = await envtestForSuite(this, { needsHelm: true });
      for (const ns of ['kube-as3', 'other']) await kubectl(env.kubeconfigPath, ['create', 'namespace', ns]);
    });
    after(async () => {
      await env?.stop();
    });

    it('accepts every object rendered with every option (kubectl apply --dry-run=server)', async () => {
      const kc = (env as Envtest).kubeconfigPath;
      // No Prometheus Operator CRD here: the ServiceMonitor is checked by rendering only.
      const rendered = (await render(['-f', allOptions, '--api-versions', 'monitoring.coreos.com/v1'])).filter(
        (o) => o.kind !== 'ServiceMonitor',
      );
      const out = await kubectl(kc, ['apply', '--dry-run=server', '-f', '-'], rendered.map((o) => JSON.stringify(o)).join('\n'));
      assert.equal(out.trim().split('\n').length, rendered.length, out);
    });

    it('helm install with the single-cluster example, then helm upgrade to multi-cluster', async () => {
      const kc = (env as Envtest).kubeconfigPath;
      await helmOk(['install', 'kube-as3', chart, '--kubeconfig', kc, '--namespace', 'kube-as3', '-f', examples[0] as string]);
      await helmOk(['upgrade', 'kube-as3', chart, '--kubeconfig', kc, '--namespace', 'kube-as3', '-f', examples[1] as string]);
      const role = JSON.parse(await kubectl(kc, ['-n', 'kube-as3', 'get', 'role', 'kube-as3-references', '-o', 'json'])) as {
        rules: PolicyRule[];
      };
      assert.deepEqual(role.rules[0]?.resourceNames, ['west-kubeconfig']);
      const deploy = JSON.parse(await kubectl(kc, ['-n', 'kube-as3', 'get', 'deployment', 'kube-as3', '-o', 'json'])) as {
        spec: { replicas: number };
      };
      assert.equal(deploy.spec.replicas, 2);
    });
  });
});
