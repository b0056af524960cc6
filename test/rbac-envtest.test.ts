/**
 * RBAC is enough and not more: the Helm chart installed on a real API server (envtest, with an
 * audit log), the real binary run as a local process with a token of the chart's ServiceAccount
 * (no kubelet here, so the chart's Deployment cannot run), the chart's own rendered config, and the
 * fake BIG-IP. Enough: it applies, writes statuses, holds the Lease, stores the IPAM allocations and
 * records an Event for a refused resource, with no 403 in its log. Not more: the audit log shows
 * every request of the ServiceAccount allowed, and every rule of the chart's ClusterRole and Role
 * used at least once. The scenario's values use poolMemberType nodeportlocal so that the Pod watch
 * (in the ClusterRole whatever the mode) is exercised; no multiCluster section, so the chart
 * renders no `-references` Role (those Roles exist only for objects config.multiCluster names).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { PolicyRule } from '../src/controller/rbac-rules.js';
import { envtestForSuite, helmBinary, kubectl } from './support/envtest.js';
import type { Envtest } from './support/envtest.js';
import { startFakeBigip } from './support/fake-bigip.js';
import type { FakeBigip } from './support/fake-bigip.js';

const root = resolve(import.meta.dirname, '..');
const chart = join(root, 'helm', 'kube-as3');
const bin = join(root, 'bin', 'kube-as3.js');
const SA_USER = 'system:serviceaccount:kube-as3:kube-as3';

const VALUES = `
image: {repository: registry.example.net/kube-as3}
bigip: {credentialsSecret: kube-as3-bigip}
config:
  bigip: {partition: shop}
  poolMemberType: nodeportlocal
  ingressClass: f5
  ipam:
    ranges:
      prod: ["10.1.2.10-10.1.2.20"]
  as3: {instance: prod}
`;

const NPL = JSON.stringify([{ podPort: 8080, nodeIP: '10.0.0.5', nodePort: 40001 }]);
const OBJECTS = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop, annotations: {nodeportlocal.antrea.io/enabled: "true"}}
spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, annotations: {nodeportlocal.antrea.io: '${NPL}'}}
spec: {containers: [{name: web, image: registry.example.net/web}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-a, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [{addresses: [172.16.0.1], conditions: {ready: true}, targetRef: {kind: Pod, name: web-1, namespace: shop}}]
---
apiVersion: cis.f5.com/v1
kind: VirtualServer
metadata: {name: a, namespace: shop, labels: {f5cr: "true"}}
spec: {host: a.example.com, ipamLabel: prod, pools: [{path: /, service: web, servicePort: 80}]}
---
apiVersion: cis.f5.com/v1
kind: TransportServer
metadata: {name: db, namespace: shop, labels: {f5cr: "true"}}
spec: {virtualServerAddress: 10.1.3.9, virtualServerPort: 5432, pool: {service: web, servicePort: 80}}
---
apiVersion: v1
kind: Service
metadata: {name: lb, namespace: shop, annotations: {cis.f5.com/ipamLabel: prod, nodeportlocal.antrea.io/enabled: "true"}}
spec: {type: LoadBalancer, ports: [{name: pg, port: 5432, targetPort: 5432, protocol: TCP}]}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: f5}
spec: {controller: f5.com/cntr-ingress-svcs}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: www, namespace: shop, annotations: {virtual-server.f5.com/ip: 10.1.3.7}}
spec: {ingressClassName: f5, rules: [{host: www.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]}
`;

const LB2 = `
apiVersion: v1
kind: Service
metadata: {name: lb2, namespace: shop, annotations: {cis.f5.com/ipamLabel: prod, nodeportlocal.antrea.io/enabled: "true"}}
spec: {type: LoadBalancer, ports: [{name: pg, port: 5433, targetPort: 5433, protocol: TCP}]}
`;

interface AuditEvent {
  stage: string;
  verb: string;
  user: { username: string };
  objectRef?: { apiGroup?: string; resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  annotations?: Record<string, string>;
  requestURI: string;
}

/** One line per (group, resource[/subresource], verb) a rule grants. */
function granted(rules: PolicyRule[]): string[] {
  return rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}|${res}|${v}`))));
}

describe('RBAC of the Helm chart: enough and not more (the binary with the ServiceAccount token, envtest with an audit log)', function () {
  this.timeout(120_000);
  const helmBin = helmBinary();
  let env: Envtest | undefined;
  let bigip: FakeBigip | undefined;
  let dir: string | undefined;

  before(async function () {
    env = await envtestForSuite(this, { audit: true, needsHelm: true });
    dir = mkdtempSync(join(tmpdir(), 'kube-as3-rbac-'));
    writeFileSync(join(dir, 'values.yaml'), VALUES);
    const helm = spawnSync(
      helmBin as string,
      [
        'install',
        'kube-as3',
        chart,
        '--kubeconfig',
        env.kubeconfigPath,
        '--namespace',
        'kube-as3',
        '--create-namespace',
        '-f',
        join(dir, 'values.yaml'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(helm.status, 0, `helm install: ${helm.stderr}`);
    await kubectl(env.kubeconfigPath, ['apply', '-f', '-'], OBJECTS);
    bigip = await startFakeBigip({ asyncPollsBeforeDone: 0 });
  });
  after(async () => {
    await bigip?.close();
    await env?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('applies, writes statuses, holds the Lease, stores IPAM, records an Event, with no 403; every request allowed and every granted rule used', async () => {
    const e = env as Envtest;
    const work = dir as string;
    const admin = (args: string[], input?: string): Promise<string> => kubectl(e.kubeconfigPath, args, input);

    // The config is the chart's rendered ConfigMap, read back from the API server.
    const cm = JSON.parse(await admin(['-n', 'kube-as3', 'get', 'configmap', 'kube-as3', '-o', 'json'])) as {
      data: Record<string, string>;
    };
    writeFileSync(join(work, 'kube-as3.yaml'), cm.data['kube-as3.yaml'] ?? '');
    writeFileSync(join(work, 'username'), 'admin\n');
    writeFileSync(join(work, 'password'), 'admin\n');
    // A token of the chart's ServiceAccount (kubectl create token: POST .../serviceaccounts/kube-as3/token).
    const token = (await admin(['-n', 'kube-as3', 'create', 'token', 'kube-as3', '--duration', '1h'])).trim();
    assert.match(token, /^ey/);
    const kubeconfig = join(work, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: envtest, cluster: {server: "${e.url}", insecure-skip-tls-verify: true}}]`,
        `users: [{name: kube-as3, user: {token: "${token}"}}]`,
        'contexts: [{name: envtest, context: {cluster: envtest, user: kube-as3}}]',
        'current-context: envtest',
        '',
      ].join('\n'),
    );

    const child: ChildProcessWithoutNullStreams = spawn(
      process.execPath,
      [
        bin,
        'run',
        '--config',
        join(work, 'kube-as3.yaml'),
        '--kubeconfig',
        kubeconfig,
        '--bigip-url',
        (bigip as FakeBigip).url,
        '--bigip-credentials-dir',
        work,
        '--port',
        '0',
      ],
      { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, POD_NAMESPACE: 'kube-as3' } },
    );
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const lines: string[] = [];
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
    const failOnExit = exited.then((code) => assert.fail(`run exited (${code}) early:\n${stderr}\n${lines.join('\n')}`));
    // kubectl wait watches the object: no timing waits.
    const waitFor = (args: string[]): Promise<unknown> => Promise.race([admin(['wait', '--timeout=60s', ...args]), failOnExit]);

    try {
      await waitFor(['-n', 'shop', '--for=jsonpath={.status.status}=Ok', 'virtualserver/a']);
      await waitFor(['-n', 'shop', '--for=jsonpath={.status.status}=Ok', 'transportserver/db']);
      await waitFor(['-n', 'shop', '--for=jsonpath={.status.loadBalancer.ingress[0].ip}=10.1.3.7', 'ingress/www']);
      await waitFor(['-n', 'shop', '--for=jsonpath={.status.loadBalancer.ingress[0].ip}=10.1.2.11', 'service/lb']);
      const tenant = (bigip as FakeBigip).tenants()['shop'];
      assert.ok(tenant?.['crd_10_1_3_9_5432'], 'the TransportServer is on the BIG-IP');
      assert.match(JSON.stringify(tenant), /10\.0\.0\.5/, 'the NodePortLocal member is in a pool');

      // A later allocation replaces the stored IPAMAllocation (its update verb).
      await admin(['apply', '-f', '-'], LB2);
      await waitFor(['-n', 'shop', '--for=jsonpath={.status.loadBalancer.ingress[0].ip}=10.1.2.12', 'service/lb2']);
      const stored = JSON.parse(await admin(['-n', 'kube-as3', 'get', 'ipamallocation', 'kube-as3-prod', '-o', 'json'])) as {
        spec: { allocations: Record<string, { address: string }> };
      };
      assert.deepEqual(
        Object.entries(stored.spec.allocations)
          .map(([k, v]) => `${k}=${v.address}`)
          .sort(),
        ['shop/a.example.com_host=10.1.2.10', 'shop/lb2_svc=10.1.2.12', 'shop/lb_svc=10.1.2.11'],
      );

      // A refused edit: an Event on the TransportServer (watched, so the wait is on its arrival).
      const events = spawn(
        'kubectl',
        [
          '--kubeconfig',
          e.kubeconfigPath,
          '-n',
          'shop',
          'get',
          'events',
          '--watch',
          '--field-selector',
          'involvedObject.name=db,reason=InvalidSpec',
          '-o',
          'name',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      try {
        const firstEvent = new Promise<string>((done) => createInterface({ input: events.stdout }).once('line', done));
        await admin(['patch', '-n', 'shop', 'transportserver', 'db', '--type', 'merge', '-p', '{"spec":{"pool":{"servicePort":9999}}}']);
        assert.match(await Promise.race([firstEvent, failOnExit]), /^event/);
      } finally {
        events.kill('SIGTERM');
      }

      const lease = JSON.parse(await admin(['-n', 'kube-as3', 'get', 'lease', 'kube-as3-prod', '-o', 'json'])) as {
        spec: { holderIdentity?: string };
      };
      assert.ok(lease.spec.holderIdentity, 'the Lease has a holder');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, `exit code; stderr: ${stderr}`);
    assert.ok(lines.length > 0, 'run logged');
    const refused = lines.filter((l) => /\b403\b|forbidden/i.test(l));
    assert.deepEqual(refused, [], 'no request of the controller was refused');

    // Not more: read the audit log once, now that the controller has stopped (blocking mode: each
    // event is written before its request is answered).
    const audit = readFileSync(e.auditLogPath as string, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as AuditEvent);
    const mine = audit.filter((a) => a.user.username === SA_USER);
    assert.ok(mine.length > 0, "the audit log holds the ServiceAccount's requests");
    const denied = mine.filter((a) => a.responseStatus?.code === 403 || a.annotations?.['authorization.k8s.io/decision'] !== 'allow');
    assert.deepEqual(
      denied.map((a) => `${a.verb} ${a.requestURI} ${a.responseStatus?.code}`),
      [],
      'every request allowed',
    );

    const clusterRole = JSON.parse(await admin(['get', 'clusterrole', 'kube-as3', '-o', 'json'])) as { rules: PolicyRule[] };
    const role = JSON.parse(await admin(['-n', 'kube-as3', 'get', 'role', 'kube-as3', '-o', 'json'])) as { rules: PolicyRule[] };
    const roles = JSON.parse(await admin(['get', 'roles', '-A', '-l', 'app.kubernetes.io/instance=kube-as3', '-o', 'json'])) as {
      items: Array<{ metadata: { name: string; namespace: string } }>;
    };
    assert.deepEqual(
      roles.items.map((r) => `${r.metadata.namespace}/${r.metadata.name}`),
      ['kube-as3/kube-as3'],
      'no -references Role without config.multiCluster',
    );
    const used = new Set(
      mine.map(
        (a) =>
          `${a.objectRef?.apiGroup ?? ''}|${a.objectRef?.resource ?? ''}${a.objectRef?.subresource ? `/${a.objectRef.subresource}` : ''}|${a.verb}`,
      ),
    );
    const clusterUnused = granted(clusterRole.rules).filter((g) => !used.has(g));
    const roleUnused = granted(role.rules).filter((g) => !used.has(g));
    assert.deepEqual(
      { clusterUnused, roleUnused },
      { clusterUnused: [], roleUnused: [] },
      `granted but never used; used: ${[...used].sort().join(', ')}`,
    );
    // Namespaced-Role verbs only in the controller's namespace.
    const namespaced = new Set(granted(role.rules));
    const outside = mine.filter(
      (a) =>
        namespaced.has(`${a.objectRef?.apiGroup ?? ''}|${a.objectRef?.resource ?? ''}|${a.verb}`) && a.objectRef?.namespace !== 'kube-as3',
    );
    assert.deepEqual(
      outside.map((a) => a.requestURI),
      [],
    );
  });
});
