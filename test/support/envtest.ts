/**
 * A real Kubernetes API server for integration tests, as controller-runtime's envtest does it:
 * the `etcd` and `kube-apiserver` binaries from `KUBEBUILDER_ASSETS` (default
 * `../shared/envtest/bin` beside the project), started on free loopback ports in a temporary
 * folder, with an admin bearer token and RBAC on. Nothing runs Pods or fills EndpointSlices: tests
 * create every object themselves. `envtestUnavailable()` says why the binaries cannot be used, so
 * suites skip visibly instead of passing.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

const projectRoot = resolve(import.meta.dirname, '..', '..');

/** Where the binaries are: `KUBEBUILDER_ASSETS`, else `../shared/envtest/bin` beside the project. */
export function envtestAssets(): string {
  return process.env['KUBEBUILDER_ASSETS'] ?? resolve(projectRoot, '..', 'shared', 'envtest', 'bin');
}

/** Why envtest cannot run here (for `this.skip()`), or undefined when it can. */
export function envtestUnavailable(): string | undefined {
  const dir = envtestAssets();
  for (const bin of ['etcd', 'kube-apiserver']) {
    if (!existsSync(join(dir, bin)))
      return `envtest binaries not found: ${join(dir, bin)} is missing (set KUBEBUILDER_ASSETS or place ../shared/envtest beside the project)`;
  }
  if (spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status !== 0)
    return 'kubectl is not on PATH (envtest tests install the CRDs with it)';
  return undefined;
}

export interface Envtest {
  /** `http://127.0.0.1:PORT` of etcd's client API (its HTTP gateway: `/v3/kv/range`, `/v3/kv/compaction`). */
  etcdUrl: string;
  /** `https://127.0.0.1:PORT` */
  url: string;
  /** A kubeconfig file for the admin user (also what `kubectl` and `kube-as3 run --kubeconfig` take). */
  kubeconfigPath: string;
  /** A fresh client configuration for the admin user. */
  kubeConfig(): KubeConfig;
  /** Installs the project's CRDs (`crds/*.yaml`) and waits until each is established. */
  installCrds(): Promise<void>;
  /** Stops etcd and the API server, keeping their data (then `restart` brings them back). */
  stopServers(): Promise<void>;
  /** Stops both (if running) and starts them again on the same ports and data: objects, tokens and address survive. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** With `audit: true`: the API server's audit log (JSON lines, every request at `Metadata` level). */
  auditLogPath?: string;
}

export interface EnvtestOptions {
  /** Appended to the kube-apiserver arguments. */
  extraArgs?: string[];
  /** Writes an audit policy logging every request at `Metadata` level and has the API server log to `auditLogPath`. */
  audit?: boolean;
}

const TOKEN = 'kube-as3-envtest-admin';
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

function launch(bin: string, args: string[], log: string): ChildProcess {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  const keep = (b: Buffer): void => {
    chunks.push(b);
    if (chunks.length > 200) chunks.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('exit', () => {
    running.delete(child);
    writeFileSync(log, Buffer.concat(chunks));
  });
  running.add(child);
  return child;
}

/** GET /readyz with the admin token: true on `ok`. */
function readyz(url: string): Promise<boolean> {
  return new Promise((done) => {
    const req = request(
      `${url}/readyz`,
      { headers: { authorization: `Bearer ${TOKEN}` }, rejectUnauthorized: false, timeout: 2000 },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => done(res.statusCode === 200 && body.trim() === 'ok'));
      },
    );
    req.on('error', () => done(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((done) => child.once('exit', () => done()));
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited(child);
  clearTimeout(timer);
}

/** Starts etcd and kube-apiserver and waits until the API server reports ready (about 5 s). */
export async function startEnvtest(options: EnvtestOptions = {}): Promise<Envtest> {
  const bin = envtestAssets();
  const dir = mkdtempSync(join(tmpdir(), 'kube-as3-envtest-'));
  const auditLogPath = options.audit ? join(dir, 'audit.log') : undefined;
  const auditArgs: string[] = [];
  if (auditLogPath) {
    writeFileSync(
      join(dir, 'audit-policy.yaml'),
      'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: Metadata\n',
    );
    // Blocking mode (the default, set here for clarity): each event is written before the request completes.
    auditArgs.push(
      '--audit-policy-file',
      join(dir, 'audit-policy.yaml'),
      '--audit-log-path',
      auditLogPath,
      '--audit-log-mode',
      'blocking',
      '--audit-log-format',
      'json',
    );
  }
  const [apiPort, etcdPort, peerPort] = [await freePort(), await freePort(), await freePort()];
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(dir, 'tokens.csv'), `${TOKEN},admin,admin-uid,system:masters\n`);
  const url = `https://127.0.0.1:${apiPort}`;
  let etcd: ChildProcess;
  let apiserver: ChildProcess;
  const processes = { stop: async (): Promise<void> => undefined };
  // The same ports, data and keys every time: a restart keeps the objects, the address and the tokens.
  const launchBoth = async (): Promise<void> => {
    etcd = launch(
      join(bin, 'etcd'),
      [
        '--name',
        'envtest',
        '--data-dir',
        join(dir, 'etcd'),
        '--log-level',
        'warn',
        '--listen-client-urls',
        `http://127.0.0.1:${etcdPort}`,
        '--advertise-client-urls',
        `http://127.0.0.1:${etcdPort}`,
        '--listen-peer-urls',
        `http://127.0.0.1:${peerPort}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${peerPort}`,
        '--initial-cluster',
        `envtest=http://127.0.0.1:${peerPort}`,
      ],
      join(dir, 'etcd.log'),
    );
    apiserver = launch(
      join(bin, 'kube-apiserver'),
      [
        '--etcd-servers',
        `http://127.0.0.1:${etcdPort}`,
        '--secure-port',
        String(apiPort),
        '--bind-address',
        '127.0.0.1',
        '--advertise-address',
        '127.0.0.1',
        '--cert-dir',
        join(dir, 'certs'),
        '--token-auth-file',
        join(dir, 'tokens.csv'),
        '--authorization-mode',
        'RBAC',
        '--service-account-key-file',
        join(dir, 'sa.pub'),
        '--service-account-signing-key-file',
        join(dir, 'sa.key'),
        '--service-account-issuer',
        'https://kubernetes.default.svc',
        '--api-audiences',
        'https://kubernetes.default.svc',
        '--service-cluster-ip-range',
        '10.96.0.0/16',
        '--disable-admission-plugins',
        'ServiceAccount',
        '--endpoint-reconciler-type',
        'none',
        '--profiling=false',
        ...auditArgs,
        ...(options.extraArgs ?? []),
      ],
      join(dir, 'kube-apiserver.log'),
    );
    processes.stop = async () => {
      await terminate(apiserver);
      await terminate(etcd);
    };
    // Readiness is polled: the API server offers no event to wait on. Bounded, and fails early when a process dies.
    const deadline = Date.now() + 90_000;
    while (!(await readyz(url))) {
      if (apiserver.exitCode !== null || etcd.exitCode !== null || Date.now() > deadline) {
        await processes.stop().catch(() => undefined);
        throw new Error(`envtest did not become ready (API server exit ${apiserver.exitCode}, etcd exit ${etcd.exitCode})`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const stop = async (): Promise<void> => {
    await processes.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await launchBoth();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfigPath,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: envtest, cluster: {server: "${url}", insecure-skip-tls-verify: true}}]`,
      `users: [{name: admin, user: {token: "${TOKEN}"}}]`,
      'contexts: [{name: envtest, context: {cluster: envtest, user: admin, namespace: default}}]',
      'current-context: envtest',
      '',
    ].join('\n'),
  );
  const kubeConfig = (): KubeConfig => {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    return kc;
  };
  const restart = async (): Promise<void> => {
    await processes.stop();
    await launchBoth();
  };
  return {
    url,
    etcdUrl: `http://127.0.0.1:${etcdPort}`,
    kubeconfigPath,
    kubeConfig,
    installCrds: () => installCrds(kubeconfigPath),
    stop,
    stopServers: () => processes.stop(),
    restart,
    ...(auditLogPath ? { auditLogPath } : {}),
  };
}

/**
 * `kubectl apply` (the real tool: client-node's typed models would drop the CRDs'
 * `x-kubernetes-*` keys), then `kubectl wait` for each CRD to be established.
 */
async function installCrds(kubeconfigPath: string): Promise<void> {
  const crdDir = join(projectRoot, 'crds');
  await kubectl(kubeconfigPath, ['apply', '-f', crdDir]);
  await kubectl(kubeconfigPath, ['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
}

/** Runs kubectl against the envtest API server; rejects with its output on failure. */
export function kubectl(kubeconfigPath: string, args: string[], input?: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfigPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done(out) : fail(new Error(`kubectl ${args.join(' ')}: exit ${code}: ${out}`))));
    child.stdin.end(input ?? '');
  });
}

/** `helm` on PATH (what a developer elsewhere has), else ../shared/envtest/bin/helm; undefined when neither exists. */
export function helmBinary(): string | undefined {
  if (spawnSync('helm', ['version', '--short'], { stdio: 'ignore' }).status === 0) return 'helm';
  const shared = resolve(projectRoot, '..', 'shared', 'envtest', 'bin', 'helm');
  return existsSync(shared) ? shared : undefined;
}

/**
 * A suite's `before`: an envtest with the project's CRDs installed, or a visible skip naming why
 * it cannot run (never a silent pass). `needsHelm`: skip too when no helm binary is found.
 */
export async function envtestForSuite(ctx: Mocha.Context, options: EnvtestOptions & { needsHelm?: boolean } = {}): Promise<Envtest> {
  const missing =
    envtestUnavailable() ?? (options.needsHelm && !helmBinary() ? 'helm is neither on PATH nor at ../shared/envtest/bin/helm' : undefined);
  if (missing) {
    console.log(`    skipped: ${missing}`);
    ctx.skip();
  }
  ctx.timeout(180_000);
  const env = await startEnvtest(options);
  await env.installCrds();
  return env;
}
