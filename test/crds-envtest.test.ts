/**
 * The CRDs in crds/ against a real API server (envtest: etcd + kube-apiserver), the layer behind
 * the fast Ajv checks of test/crds.test.ts: OpenAPI validation, CEL rules (including the
 * transition rules that only run on updates) and pruning are the API server's own.
 *
 * - Every VirtualServer, TransportServer, TLSProfile and Policy in examples/ and in the golden
 *   cases outside bad-* is accepted (server-side dry run), without a warning: an unknown field
 *   would be pruned with a warning, not refused, and a golden input that loses a field in a
 *   cluster tests something a cluster never sees.
 * - Invalid objects are refused with the API server's message for each (pattern, enum, range,
 *   required, and the CEL rules), and so are the updates the CEL transition rules forbid.
 *
 * One envtest serves the whole file. Objects go to the API server directly (one request each, all
 * at once, `dryRun=All`) so each answer, and each `Warning` header, belongs to one object.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { basename, join, relative, resolve, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { envtestForSuite, kubectl } from './support/envtest.js';
import type { Envtest } from './support/envtest.js';

const repoRoot = resolve(import.meta.dirname, '..');
const GROUP = 'cis.f5.com';
const PLURALS: Record<string, string> = {
  VirtualServer: 'virtualservers',
  TransportServer: 'transportservers',
  TLSProfile: 'tlsprofiles',
  Policy: 'policies',
};

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Found {
  /** `golden-case` or `examples/...` file, for messages. */
  where: string;
  /** Bad golden case (invalid on purpose). */
  bad: boolean;
  object: JsonObject;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(path);
    return /\.(ya?ml|json)$/.test(entry.name) && !basename(entry.name).startsWith('expected') ? [path] : [];
  });
}

function flatten(value: unknown): unknown[] {
  if (isObject(value) && Array.isArray(value['items']) && typeof value['kind'] === 'string' && value['kind'].endsWith('List'))
    return value['items'].flatMap(flatten);
  return [value];
}

/** The cis.f5.com objects of the four CIS kinds in examples/ and test/golden/ (documents that do not parse are left out). */
function findObjects(): Found[] {
  const golden = join(repoRoot, 'test', 'golden');
  const files = [...listFiles(join(repoRoot, 'examples')), ...listFiles(golden)];
  const found: Found[] = [];
  for (const file of files) {
    const rel = relative(golden, file);
    const inGolden = !rel.startsWith('..');
    const bad = inGolden && (rel.split(sep)[0] ?? '').startsWith('bad-');
    const docs = parseAllDocuments(readFileSync(file, 'utf8'))
      .filter((d) => d.errors.length === 0)
      .map((d) => d.toJS() as unknown);
    for (const object of docs.flatMap(flatten)) {
      if (!isObject(object) || object['apiVersion'] !== `${GROUP}/v1` || !(String(object['kind']) in PLURALS)) continue;
      found.push({ where: relative(repoRoot, file), bad, object });
    }
  }
  return found;
}

function namespaceOf(object: JsonObject): string {
  const meta = isObject(object['metadata']) ? object['metadata'] : {};
  return typeof meta['namespace'] === 'string' ? meta['namespace'] : 'default';
}

function label(f: Found): string {
  const meta = isObject(f.object['metadata']) ? f.object['metadata'] : {};
  return `${f.where}: ${String(f.object['kind'])} ${namespaceOf(f.object)}/${String(meta['name'])}`;
}

/** What the API server answered to one create: the HTTP status, its message, and the `Warning` headers. */
interface Answer {
  status: number;
  message: string;
  warnings: string[];
}

/** POSTs one object (as it would be created; `dryRun=All` persists nothing). */
function create(env: Envtest, token: string, object: JsonObject, options: { dryRun: boolean }): Promise<Answer> {
  const kind = String(object['kind']);
  const namespace = namespaceOf(object);
  const meta: JsonObject = { ...(isObject(object['metadata']) ? object['metadata'] : {}), namespace };
  for (const key of ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields']) delete meta[key];
  const body = JSON.stringify({ ...object, metadata: meta });
  const query = `fieldValidation=Warn${options.dryRun ? '&dryRun=All' : ''}`;
  const url = `${env.url}/apis/${GROUP}/v1/namespaces/${namespace}/${PLURALS[kind]}?${query}`;
  return new Promise((done, fail) => {
    const req = request(
      url,
      {
        method: 'POST',
        rejectUnauthorized: false,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          const warning = res.headers['warning'];
          const warnings = (Array.isArray(warning) ? warning : warning ? [warning] : []).flatMap((w) => w.split(/,\s*(?=299 )/));
          let message = text;
          try {
            const parsed = JSON.parse(text) as { kind?: string; message?: string };
            if (parsed.kind === 'Status') message = parsed.message ?? text;
          } catch {
            // not JSON: keep the text
          }
          done({ status: res.statusCode ?? 0, message, warnings });
        });
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

describe('CRDs (crds/*.yaml) on a real API server', function () {
  let env: Envtest | undefined;
  let token = '';
  const found = findObjects();

  before(async function () {
    env = await envtestForSuite(this);
    token = env.kubeConfig().getCurrentUser()?.token ?? '';
    const namespaces = [...new Set([...found.map((f) => namespaceOf(f.object)), 'shop'])].filter((n) => n !== 'default');
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    };
    await kubectl(env.kubeconfigPath, ['apply', '-f', '-'], JSON.stringify(list));
  });
  after(async function () {
    this.timeout(60_000);
    await env?.stop();
  });

  it('finds the objects of examples/ and test/golden/ (outside bad-*) to send', function () {
    assert.ok(found.filter((f) => !f.bad).length > 100, `only ${found.length} objects found`);
  });

  it('accepts every VirtualServer, TransportServer, TLSProfile and Policy of examples/ and the golden cases outside bad-*, without a warning', async function () {
    this.timeout(60_000);
    const good = found.filter((f) => !f.bad);
    const answers = await Promise.all(good.map((f) => create(env as Envtest, token, f.object, { dryRun: true })));
    const problems = good.flatMap((f, i) => {
      const a = answers[i] as Answer;
      if (a.status !== 201) return [`${label(f)}: refused (${a.status}): ${a.message}`];
      return a.warnings.length > 0 ? [`${label(f)}: warnings: ${a.warnings.join('; ')}`] : [];
    });
    assert.deepEqual(problems, []);
  });

  it('refuses no object of a bad-* golden case that kube-as3 itself accepts: each refusal is an error of that case, and each pruned field a warning', async function () {
    this.timeout(60_000);
    const bad = found.filter((f) => f.bad);
    const answers = await Promise.all(bad.map((f) => create(env as Envtest, token, f.object, { dryRun: true })));
    const problems: string[] = [];
    let refusals = 0;
    bad.forEach((f, i) => {
      const a = answers[i] as Answer;
      const caseDir = join(
        repoRoot,
        'test',
        'golden',
        relative(join(repoRoot, 'test', 'golden'), join(repoRoot, f.where)).split(sep)[0] ?? '',
      );
      const stderr = readFileSync(join(caseDir, 'expected.stderr'), 'utf8').split('\n');
      const meta = isObject(f.object['metadata']) ? f.object['metadata'] : {};
      const who = `${String(f.object['kind'])} ${namespaceOf(f.object)}/${String(meta['name'] ?? '')}`;
      if (a.status !== 201) {
        refusals += 1;
        assert.equal(a.status, 422, `${label(f)}: ${a.message}`);
        // kube-as3 reports it too: an error line about the object (a Policy's errors come through the resources naming it).
        const nameless = meta['name'] === undefined;
        const reported = stderr.some(
          (line) => !line.includes(': warning: ') && (nameless ? line.includes('metadata.name') : line.includes(who)),
        );
        if (!reported) problems.push(`${label(f)}: refused by the API server (${a.message}), but kube-as3 reports no error for it`);
      }
      for (const warning of a.warnings) {
        const field = /unknown field \\?"([^"\\]+)\\?"/.exec(warning)?.[1];
        if (!field || !stderr.some((line) => line.startsWith(`${who}: warning: ${field}: unknown field`)))
          problems.push(`${label(f)}: the API server warns ${warning}, kube-as3 does not`);
      }
    });
    assert.deepEqual(problems, []);
    assert.ok(refusals >= 15, `only ${refusals} bad objects refused: the bad-* cases no longer exercise the CRDs`);
  });

  const vs = (spec: JsonObject): JsonObject => ({
    apiVersion: 'cis.f5.com/v1',
    kind: 'VirtualServer',
    metadata: { name: 'app', namespace: 'shop' },
    spec: { host: 'app.example.com', virtualServerAddress: '10.1.10.80', pools: [{ path: '/', service: 'app', servicePort: 80 }], ...spec },
  });
  const ts = (spec: JsonObject): JsonObject => ({
    apiVersion: 'cis.f5.com/v1',
    kind: 'TransportServer',
    metadata: { name: 'db', namespace: 'shop' },
    spec: {
      virtualServerAddress: '10.1.10.81',
      virtualServerPort: 5432,
      mode: 'standard',
      pool: { service: 'db', servicePort: 5432 },
      ...spec,
    },
  });
  const tlsProfile = (tls: JsonObject): JsonObject => ({
    apiVersion: 'cis.f5.com/v1',
    kind: 'TLSProfile',
    metadata: { name: 'edge', namespace: 'shop' },
    spec: { hosts: ['app.example.com'], tls },
  });
  /** A null in a spec override removes that field. */
  const without = (object: JsonObject): JsonObject => {
    const spec = object['spec'] as JsonObject;
    for (const [key, value] of Object.entries(spec)) if (value === null) delete spec[key];
    return object;
  };

  // What CIS's CRDs accept, ours accept too (the controller reports in the status what it cannot use).
  const accepted: Array<[string, JsonObject]> = [
    [
      'a TransportServer pool with only multiClusterServices',
      ts({ pool: { multiClusterServices: [{ clusterName: 'east', service: 'db', namespace: 'shop', servicePort: 5432 }] } }),
    ],
    ['a tlsProfileName outside Kubernetes name syntax', vs({ tlsProfileName: 'Edge_Profile+1' })],
    [
      'CIS fields kube-as3 warns about (policyNamespace, profileApiProtection, monitor timeUntilUp)',
      vs({
        policyNamespace: 'shared',
        profileApiProtection: '/Common/api',
        pools: [
          {
            path: '/',
            service: 'app',
            servicePort: 80,
            monitor: { type: 'http', send: 'GET /', interval: 5, timeout: 16, timeUntilUp: 30 },
          },
        ],
      }),
    ],
    [
      'a monitor sslProfile and a defaultPool name without a partition',
      vs({
        defaultPool: {
          reference: 'service',
          name: 'fallback',
          service: 'app',
          servicePort: 80,
          monitors: [{ type: 'https', send: 'GET /', sslProfile: 'serverssl' }],
        },
      }),
    ],
    [
      'a Policy with l7Policies.profileApiProtection',
      {
        apiVersion: 'cis.f5.com/v1',
        kind: 'Policy',
        metadata: { name: 'api', namespace: 'shop' },
        spec: { l7Policies: { profileApiProtection: '/Common/api' } },
      },
    ],
    [
      'a defaultPool with weight and alternateBackends',
      vs({
        defaultPool: {
          reference: 'service',
          service: 'app',
          servicePort: 80,
          weight: 80,
          alternateBackends: [{ service: 'canary', serviceNamespace: 'shop', weight: 20 }],
        },
      }),
    ],
  ];
  for (const [title, object] of accepted) {
    it(`accepts, as CIS does: ${title}`, async function () {
      const a = await create(env as Envtest, token, object, { dryRun: true });
      assert.equal(a.status, 201, a.message);
      assert.deepEqual(a.warnings, []);
    });
  }

  // [title, object, a part of the API server's message]
  const refused: Array<[string, JsonObject, string]> = [
    ['partition Common (CEL)', vs({ partition: 'Common' }), 'spec: Invalid value: "object": partition cannot be \'Common\''],
    ['a TransportServer in partition Common (CEL)', ts({ partition: 'Common' }), "partition cannot be 'Common'"],
    [
      'no virtualServerAddress and no ipamLabel (CEL)',
      without(vs({ virtualServerAddress: null })),
      'either virtualServerAddress or ipamLabel must be set',
    ],
    [
      'a partition that is a path',
      vs({ partition: '/Common/apps' }),
      'spec.partition: Invalid value: "/Common/apps": spec.partition in body should match',
    ],
    [
      'an httpTraffic value outside allow|none|redirect',
      vs({ tlsProfileName: 'edge', httpTraffic: 'deny' }),
      'spec.httpTraffic: Unsupported value: "deny": supported values: "allow", "none", "redirect"',
    ],
    [
      'a servicePort that is neither integer nor string',
      vs({ pools: [{ service: 'app', servicePort: { port: 80 } }] }),
      'spec.pools[0].servicePort',
    ],
    ['an invalid address', vs({ virtualServerAddress: '10.1.10.256' }), 'spec.virtualServerAddress: Invalid value: "10.1.10.256"'],
    ['a host with an empty label', vs({ host: 'app..example.com' }), 'spec.host: Invalid value: "app..example.com"'],
    ['an iRule that is not a BIG-IP path', vs({ iRules: ['Common/rule_1'] }), 'spec.iRules[0]: Invalid value: "Common/rule_1"'],
    [
      'an HTTP port out of range',
      vs({ virtualServerHTTPPort: 65536 }),
      'spec.virtualServerHTTPPort: Invalid value: 65536: spec.virtualServerHTTPPort in body should be less than or equal to 65535',
    ],
    [
      'a defaultPool without reference',
      vs({ defaultPool: { service: 'app', servicePort: 80 } }),
      'spec.defaultPool.reference: Required value',
    ],
    [
      'a defaultPool weight over 256',
      vs({ defaultPool: { reference: 'service', service: 'app', servicePort: 80, weight: 257 } }),
      'spec.defaultPool.weight: Invalid value: 257',
    ],
    [
      'two serviceAddress entries',
      vs({ serviceAddress: [{ icmpEcho: 'enable' }, { arpEnabled: true }] }),
      'spec.serviceAddress: Too many: 2: must have at most 1 item',
    ],
    ['a TransportServer without pool', without(ts({ pool: null })), 'spec.pool: Required value'],
    ['a TransportServer without virtualServerPort', without(ts({ virtualServerPort: null })), 'spec.virtualServerPort: Required value'],
    [
      'a TLSProfile tls.reference outside bigip|secret|hybrid',
      tlsProfile({ termination: 'edge', reference: 'Secret', clientSSL: 'edge-cert' }),
      'spec.tls.reference: Unsupported value: "Secret"',
    ],
    ['a TransportServer mode outside standard|performance', ts({ mode: 'fast' }), 'spec.mode: Unsupported value: "fast"'],
    [
      'a TransportServer pool weight over 100',
      ts({ pool: { service: 'db', servicePort: 5432, weight: 101 } }),
      'spec.pool.weight: Invalid value: 101',
    ],
    [
      'a TLSProfile without termination',
      tlsProfile({ reference: 'bigip', clientSSL: '/Common/clientssl' }),
      'spec.tls.termination: Required value',
    ],
    [
      'a Policy with an unknown autoLastHop',
      { apiVersion: 'cis.f5.com/v1', kind: 'Policy', metadata: { name: 'plc', namespace: 'shop' }, spec: { autoLastHop: 'sometimes' } },
      'spec.autoLastHop: Unsupported value: "sometimes"',
    ],
  ];
  for (const [title, object, message] of refused) {
    it(`refuses: ${title}`, async function () {
      const a = await create(env as Envtest, token, object, { dryRun: true });
      assert.equal(a.status, 422, `status ${a.status}: ${a.message}`);
      assert.ok(a.message.includes(message), `expected "${message}" in: ${a.message}`);
    });
  }

  describe('updates (CEL transition rules)', function () {
    const apply = (object: JsonObject): Promise<string> =>
      kubectl((env as Envtest).kubeconfigPath, ['apply', '--server-side', '--field-manager', 'test', '-f', '-'], JSON.stringify(object));
    const refusedUpdate = async (object: JsonObject, message: string): Promise<void> => {
      await assert.rejects(apply(object), (error: Error) => {
        assert.ok(error.message.includes(message), `expected "${message}" in: ${error.message}`);
        return true;
      });
    };
    const named = (object: JsonObject, name: string): JsonObject => ({
      ...object,
      metadata: { ...(object['metadata'] as JsonObject), name },
    });

    it('refuses changing, adding or removing spec.partition of an existing VirtualServer, and accepts other changes', async function () {
      this.timeout(30_000);
      await apply(named(vs({ partition: 'apps' }), 'part'));
      await refusedUpdate(
        named(vs({ partition: 'other' }), 'part'),
        'partition cannot be changed: delete the resource and create it again with the new partition',
      );
      await refusedUpdate(named(vs({}), 'part'), 'partition cannot be changed');
      await apply(named(vs({ partition: 'apps', host: 'shop.example.com' }), 'part'));
      await apply(named(vs({}), 'nopart'));
      await refusedUpdate(named(vs({ partition: 'apps' }), 'nopart'), 'partition cannot be changed');
    });

    it('refuses changing spec.partition of an existing TransportServer', async function () {
      this.timeout(30_000);
      await apply(named(ts({ partition: 'apps' }), 'part'));
      await refusedUpdate(named(ts({ partition: 'other' }), 'part'), 'partition cannot be changed');
    });

    it('refuses adding or removing spec.serviceAddress after creation', async function () {
      this.timeout(30_000);
      await apply(named(vs({}), 'addr-add'));
      await refusedUpdate(
        named(vs({ serviceAddress: [{ icmpEcho: 'enable' }] }), 'addr-add'),
        'serviceAddress cannot be added after the resource was created',
      );
      await apply(named(vs({ serviceAddress: [{ icmpEcho: 'enable' }] }), 'addr-drop'));
      await apply(named(vs({ serviceAddress: [{ icmpEcho: 'disable' }] }), 'addr-drop'));
      await refusedUpdate(named(vs({}), 'addr-drop'), 'serviceAddress cannot be removed once it is set');
    });
  });
});
