/**
 * The CustomResourceDefinitions in crds/ (cis.f5.com/v1 VirtualServer, TransportServer, TLSProfile,
 * Policy): each file is a well-formed apiextensions.k8s.io/v1 CRD with a structural schema, and every
 * cis.f5.com object in the YAML/JSON files under examples/ and test/golden/ validates against its
 * CRD's openAPIV3Schema — except inside test/golden/bad-* cases, which are invalid on purpose.
 *
 * Kubernetes-specific keywords are translated for Ajv: `x-kubernetes-int-or-string` becomes
 * `anyOf: [integer, string]`, the CEL rules this project uses become JSON Schema (transition rules,
 * which need `oldSelf`, only apply to updates and are skipped), any other `x-kubernetes-*` is
 * dropped. An unknown CEL rule fails the test, so a new rule gets a translation here.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parseAllDocuments } from 'yaml';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const crdDir = join(repoRoot, 'crds');
const GROUP = 'cis.f5.com';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: JsonObject };
  subresources?: { status?: JsonObject };
  additionalPrinterColumns?: Array<{ name: string; type: string; jsonPath: string }>;
}

interface Crd {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string; singular?: string; shortNames?: string[]; listKind?: string };
    versions: CrdVersion[];
  };
}

/** What CIS defines, and so what existing manifests and `kubectl get vs` rely on. */
const EXPECTED: Record<string, { kind: string; singular: string; shortNames: string[]; status: boolean; columns: string[] }> = {
  'virtualservers.cis.f5.com': {
    kind: 'VirtualServer',
    singular: 'virtualserver',
    shortNames: ['vs'],
    status: true,
    columns: ['host', 'tlsProfileName', 'httpTraffic', 'IPAddress', 'ipamLabel', 'IPAMVSAddress', 'STATUS', 'Age'],
  },
  'transportservers.cis.f5.com': {
    kind: 'TransportServer',
    singular: 'transportserver',
    shortNames: ['ts'],
    status: true,
    columns: ['virtualServerAddress', 'virtualServerPort', 'pool', 'poolPort', 'ipamLabel', 'IPAMVSAddress', 'STATUS', 'Age'],
  },
  'tlsprofiles.cis.f5.com': { kind: 'TLSProfile', singular: 'tlsprofile', shortNames: ['tls'], status: false, columns: [] },
  'policies.cis.f5.com': { kind: 'Policy', singular: 'policy', shortNames: ['plc'], status: false, columns: [] },
};

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every document of a YAML (or JSON) file, as plain data; documents with syntax errors are left out. */
function readDocuments(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .filter((doc) => doc.errors.length === 0)
    .map((doc) => doc.toJS() as unknown)
    .filter((value) => value !== null && value !== undefined);
}

function listFiles(dir: string, accept: (file: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path, accept));
    else if (entry.isFile() && accept(path)) out.push(path);
  }
  return out.sort();
}

const crdFiles = listFiles(crdDir, (f) => /\.ya?ml$/.test(f));

/** YAML syntax errors in the CRD files, one line each. */
function crdSyntaxErrors(): string[] {
  return crdFiles.flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).flatMap((doc) => doc.errors.map((e) => `${relative(repoRoot, file)}: ${e.message}`)),
  );
}

function loadCrds(): Array<{ file: string; crd: Crd }> {
  return crdFiles.flatMap((file) => readDocuments(file).map((doc) => ({ file, crd: doc as Crd })));
}

// ---------------------------------------------------------------------------------------------
// Kubernetes structural schema -> JSON Schema for Ajv

/** JSON Schema for the CEL rules the CRDs use; undefined for transition rules (updates only). */
function celToJsonSchema(rule: string): JsonObject | undefined {
  if (/\boldSelf\b/.test(rule)) return undefined;
  const notEqual = /^!has\(self\.(\w+)\) \|\| self\.(\w+) != '([^']*)'$/.exec(rule);
  if (notEqual && notEqual[1] === notEqual[2]) {
    const field = notEqual[1] as string;
    return { not: { required: [field], properties: { [field]: { const: notEqual[3] as string } } } };
  }
  if (/^has\(self\.\w+\)( \|\| has\(self\.\w+\))*$/.test(rule)) {
    const fields = [...rule.matchAll(/has\(self\.(\w+)\)/g)].map((m) => m[1] as string);
    return { anyOf: fields.map((f) => ({ required: [f] })) };
  }
  throw new Error(`no JSON Schema translation for the CEL rule ${JSON.stringify(rule)}: add one in test/crds.test.ts`);
}

const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);
const SCHEMA_VALUES = new Set(['items', 'additionalProperties', 'not']);

function toJsonSchema(node: Json): Json {
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  const allOf: Json[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'x-kubernetes-int-or-string') {
      if (value === true && out['type'] === undefined && node['anyOf'] === undefined) {
        out['anyOf'] = [{ type: 'integer' }, { type: 'string' }];
      }
    } else if (key === 'x-kubernetes-validations') {
      for (const v of value as Array<{ rule: string }>) {
        const translated = celToJsonSchema(v.rule);
        if (translated) allOf.push(translated);
      }
    } else if (key.startsWith('x-kubernetes-')) {
      continue;
    } else if (SCHEMA_MAPS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v)]));
    } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
      out[key] = value.map(toJsonSchema);
    } else if (SCHEMA_VALUES.has(key)) {
      out[key] = toJsonSchema(value);
    } else {
      out[key] = value;
    }
  }
  if (allOf.length > 0) out['allOf'] = [...((out['allOf'] as Json[] | undefined) ?? []), ...allOf];
  return out;
}

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('int32', true);
  ajv.addFormat('int64', true);
  return ajv;
}

function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `  ${e.instancePath || '(root)'}: ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}

/** Structural-schema rules the API server enforces, checked here since no API server runs in tests. */
function structuralProblems(node: JsonObject, path: string, ajv: Ajv): string[] {
  const problems: string[] = [];
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  if (node['type'] === undefined && !intOrString && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    problems.push(`${path}: no type`);
  }
  if (intOrString && node['type'] !== undefined) problems.push(`${path}: int-or-string must not have a type`);
  const properties = isObject(node['properties']) ? node['properties'] : {};
  for (const name of (node['required'] as string[] | undefined) ?? []) {
    if (!(name in properties)) problems.push(`${path}: required ${name} is not a property`);
  }
  if (typeof node['pattern'] === 'string') {
    try {
      new RegExp(node['pattern'], 'u');
    } catch (err) {
      problems.push(`${path}: bad pattern: ${(err as Error).message}`);
    }
  }
  if (node['default'] !== undefined && !ajv.validate(toJsonSchema(node) as object, node['default'])) {
    problems.push(`${path}: default ${JSON.stringify(node['default'])} does not validate`);
  }
  const mapKeys = node['x-kubernetes-list-map-keys'] as string[] | undefined;
  const itemRequired = isObject(node['items']) ? ((node['items']['required'] as string[] | undefined) ?? []) : [];
  for (const key of mapKeys ?? []) {
    if (!itemRequired.includes(key)) problems.push(`${path}: list map key ${key} must be required in items`);
  }
  for (const [name, child] of Object.entries(properties)) {
    if (isObject(child)) problems.push(...structuralProblems(child, `${path}.${name}`, ajv));
  }
  if (isObject(node['items'])) problems.push(...structuralProblems(node['items'], `${path}[]`, ajv));
  return problems;
}

/** The schema node a printer column's `.a.b.c` jsonPath points at, if the schema has it. */
function schemaAt(schema: JsonObject, jsonPath: string): JsonObject | undefined {
  let node: JsonObject | undefined = schema;
  for (const part of jsonPath.split('.').slice(1)) {
    const properties: Json | undefined = node?.['properties'];
    node = isObject(properties) && isObject(properties[part]) ? properties[part] : undefined;
  }
  return node;
}

// ---------------------------------------------------------------------------------------------
// cis.f5.com objects in examples/ and test/golden/

interface FoundObject {
  file: string;
  kind: string;
  name: string;
  object: unknown;
}

function inBadGoldenCase(file: string): boolean {
  const rel = relative(join(repoRoot, 'test', 'golden'), file);
  if (rel.startsWith('..')) return false;
  return (rel.split(sep)[0] ?? '').startsWith('bad-');
}

function flatten(value: unknown): unknown[] {
  if (isObject(value) && Array.isArray(value['items']) && typeof value['kind'] === 'string' && value['kind'].endsWith('List')) {
    return value['items'].flatMap(flatten);
  }
  return [value];
}

function findCisObjects(kinds: Set<string>): FoundObject[] {
  const roots = [join(repoRoot, 'examples'), join(repoRoot, 'test', 'golden')];
  const accept = (f: string): boolean => /\.(ya?ml|json)$/.test(f) && !basename(f).startsWith('expected') && !inBadGoldenCase(f);
  const found: FoundObject[] = [];
  for (const file of roots.flatMap((root) => listFiles(root, accept))) {
    for (const object of readDocuments(file).flatMap(flatten)) {
      if (!isObject(object) || object['apiVersion'] !== `${GROUP}/v1` || !kinds.has(String(object['kind']))) continue;
      const meta = isObject(object['metadata']) ? object['metadata'] : {};
      const name = `${String(meta['namespace'] ?? 'default')}/${String(meta['name'] ?? '(no name)')}`;
      found.push({ file: relative(repoRoot, file), kind: String(object['kind']), name, object });
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------

const allCrds = loadCrds();
/** The CIS-compatible CRDs (group cis.f5.com); kube-as3's own CRDs (IPAM state) are checked apart. */
const crds = allCrds.filter((c) => c.crd.spec.group === GROUP);
const ownCrds = allCrds.filter((c) => c.crd.spec.group !== GROUP);
const validators = new Map<string, ValidateFunction>();
const ajv = newAjv();

/** The compiled openAPIV3Schema of the CRD for a cis.f5.com kind (compiled on first use, inside a test). */
function validatorFor(kind: string): ValidateFunction {
  const cached = validators.get(kind);
  if (cached) return cached;
  const crd = crds.find((c) => c.crd.spec?.group === GROUP && c.crd.spec.names?.kind === kind)?.crd;
  const schema = crd?.spec.versions?.[0]?.schema?.openAPIV3Schema;
  assert.ok(schema, `no CRD with an openAPIV3Schema for kind ${kind} in crds/`);
  const check = ajv.compile(toJsonSchema(schema) as object);
  validators.set(kind, check);
  return check;
}

function errorsOf(kind: string, object: unknown): ErrorObject[] {
  const check = validatorFor(kind);
  return check(object) ? [] : [...(check.errors ?? [])];
}

function validate(kind: string, object: unknown): string {
  return formatErrors(errorsOf(kind, object));
}

describe('CRDs (crds/*.yaml)', () => {
  it('parses as YAML', () => {
    assert.deepEqual(crdSyntaxErrors(), []);
  });

  it("holds kube-as3's own CRDs in group kube-as3.dev, one file each, named after the CRD, with a structural schema", () => {
    assert.deepEqual(ownCrds.map((c) => c.crd.metadata?.name).sort(), ['ipamallocations.kube-as3.dev']);
    for (const { file, crd } of ownCrds) {
      assert.equal(basename(file), `${crd.metadata.name}.yaml`);
      assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
      assert.equal(crd.metadata.name, `${crd.spec.names.plural}.kube-as3.dev`);
      assert.equal(crd.spec.versions.filter((v) => v.served && v.storage).length, 1);
      const schema = crd.spec.versions[0]?.schema?.openAPIV3Schema as JsonObject;
      assert.deepEqual(structuralProblems(schema, '', newAjv()), []);
    }
  });

  it('holds the four CIS-compatible CRDs, one file each, named after the CRD', () => {
    assert.deepEqual(crds.map((c) => c.crd.metadata?.name).sort(), Object.keys(EXPECTED).sort());
    for (const { file, crd } of crds) assert.equal(basename(file), `${crd.metadata.name}.yaml`);
  });

  for (const { file, crd } of crds) {
    const where = relative(repoRoot, file);
    describe(where, () => {
      it('is a well-formed apiextensions.k8s.io/v1 CRD of group cis.f5.com', () => {
        assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
        assert.equal(crd.kind, 'CustomResourceDefinition');
        assert.equal(crd.spec.group, GROUP);
        assert.equal(crd.spec.scope, 'Namespaced');
        const names = crd.spec.names;
        assert.equal(crd.metadata.name, `${names.plural}.${crd.spec.group}`);
        const expected = EXPECTED[crd.metadata.name];
        assert.ok(expected, `unexpected CRD ${crd.metadata.name}`);
        assert.equal(names.kind, expected.kind);
        assert.equal(names.singular, expected.singular);
        assert.deepEqual(names.shortNames, expected.shortNames);
        assert.ok(!names.listKind || names.listKind === `${names.kind}List`);
      });

      it('has exactly one version, v1, served and the storage version', () => {
        assert.equal(crd.spec.versions.length, 1);
        const [version] = crd.spec.versions;
        assert.equal(version?.name, 'v1');
        assert.equal(version?.served, true);
        assert.equal(version?.storage, true);
        assert.ok(isObject(version?.schema?.openAPIV3Schema), 'openAPIV3Schema is missing');
      });

      it('has a structural schema (types everywhere, valid patterns, defaults, required and list keys)', () => {
        const schema = crd.spec.versions[0]?.schema?.openAPIV3Schema as JsonObject;
        assert.equal(schema['type'], 'object');
        assert.ok(isObject(schema['properties']) && isObject(schema['properties']['spec']), 'no spec');
        assert.deepEqual(structuralProblems(schema, '', newAjv()), []);
      });

      it('compiles with Ajv once its CEL rules and Kubernetes keywords are translated', () => {
        validatorFor(crd.spec.names.kind);
      });

      it('has the CIS status subresource and printer columns', () => {
        const expected = EXPECTED[crd.metadata.name];
        assert.ok(expected);
        const version = crd.spec.versions[0] as CrdVersion;
        const schema = version.schema?.openAPIV3Schema as JsonObject;
        assert.equal(isObject(version.subresources?.status), expected.status, 'status subresource');
        assert.deepEqual(
          (version.additionalPrinterColumns ?? []).map((c) => c.name),
          expected.columns,
        );
        for (const column of version.additionalPrinterColumns ?? []) {
          if (!column.jsonPath.startsWith('.metadata.'))
            assert.ok(schemaAt(schema, column.jsonPath), `column ${column.name}: ${column.jsonPath} is not in the schema`);
        }
        if (!expected.status) return;
        for (const field of ['vsAddress', 'status', 'error', 'lastUpdated', 'conditions']) {
          assert.ok(schemaAt(schema, `.status.${field}`), `status.${field} is missing`);
        }
      });
    });
  }
});

describe('CRD schemas accept the cis.f5.com objects in examples/ and test/golden/', () => {
  const objects = findCisObjects(new Set(Object.values(EXPECTED).map((e) => e.kind)));
  const files = [...new Set(objects.map((o) => o.file))];

  it('finds objects to check, each with a name (skipped while there are none)', function () {
    if (objects.length === 0) this.skip();
    assert.deepEqual(
      objects.filter((o) => o.name.endsWith('/(no name)')).map((o) => `${o.file}: ${o.kind} without metadata.name`),
      [],
    );
  });

  for (const file of files) {
    it(file, () => {
      const failures = objects
        .filter((o) => o.file === file)
        .map((o) => ({ o, errors: validate(o.kind, o.object) }))
        .filter(({ errors }) => errors !== '')
        .map(({ o, errors }) => `${o.file}: ${o.kind} ${o.name} does not validate against its CRD:\n${errors}`);
      assert.equal(failures.length, 0, failures.join('\n'));
    });
  }
});

describe('CRD schemas reject what CIS rejects', () => {
  const vs = (spec: JsonObject): JsonObject => ({
    apiVersion: 'cis.f5.com/v1',
    kind: 'VirtualServer',
    metadata: { name: 'app', namespace: 'default' },
    spec: { host: 'app.example.com', virtualServerAddress: '10.1.10.80', pools: [{ path: '/', service: 'app', servicePort: 80 }], ...spec },
  });
  const ts = (spec: JsonObject): JsonObject => ({
    apiVersion: 'cis.f5.com/v1',
    kind: 'TransportServer',
    metadata: { name: 'db', namespace: 'default' },
    spec: {
      virtualServerAddress: '10.1.10.81',
      virtualServerPort: 5432,
      mode: 'standard',
      pool: { service: 'db', servicePort: 5432 },
      ...spec,
    },
  });
  /** A null in a spec override removes that field. */
  const dropNulls = (object: JsonObject): JsonObject => {
    const spec = object['spec'] as JsonObject;
    for (const [key, value] of Object.entries(spec)) if (value === null) delete spec[key];
    return object;
  };

  const accepted: Array<[string, JsonObject]> = [
    ['VS with a named servicePort', vs({ pools: [{ path: '/api', service: 'api', servicePort: 'http' }] })],
    ['VS with only an ipamLabel', vs({ virtualServerAddress: null, ipamLabel: 'prod' })],
    [
      'VS with a wildcard host, a partition, TLS and redirect',
      vs({ host: '*.example.com', partition: 'apps', tlsProfileName: 'edge', httpTraffic: 'redirect' }),
    ],
    [
      'VS with BIG-IP references',
      vs({ snat: '/Common/snatpool1', iRules: ['/Common/rule_1', 'none'], persistenceProfile: 'cookie', waf: '/Common/WAF_Policy' }),
    ],
    [
      'VS with an IPv6 address and route domain',
      vs({ virtualServerAddress: '2001:db8::10', additionalVirtualServerAddresses: ['10.1.10.82%2'] }),
    ],
    ['TS with udp in performance mode', ts({ type: 'udp', mode: 'performance', snat: 'auto' })],
    // CIS's CRDs (k8s-bigip-ctlr 2.20.x) accept these; the controller reports what it cannot use in the resource's status.
    [
      'TS pool with only multiClusterServices',
      ts({ pool: { multiClusterServices: [{ clusterName: 'east', service: 'db', namespace: 'default', servicePort: 5432 }] } }),
    ],
    ['VS with a tlsProfileName outside Kubernetes name syntax', vs({ tlsProfileName: 'Edge_Profile+1' })],
    [
      'VS with CIS fields kube-as3 warns about (policyNamespace, profileApiProtection, monitor timeUntilUp)',
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
      'VS monitor sslProfile and defaultPool name without a partition, as CIS allows',
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
      'VS defaultPool with weight and alternateBackends',
      vs({
        defaultPool: {
          reference: 'service',
          service: 'app',
          servicePort: 80,
          weight: 80,
          alternateBackends: [{ service: 'canary', weight: 20 }],
        },
      }),
    ],
  ];
  for (const [title, object] of accepted) {
    it(`accepts: ${title}`, () => {
      assert.equal(validate(String(object['kind']), dropNulls(object)), '');
    });
  }

  // [title, object, instancePath and start of the message of an Ajv error that must be among the errors]
  const rejected: Array<[string, JsonObject, string, string]> = [
    ['partition Common (CEL rule)', vs({ partition: 'Common' }), '/spec', 'must NOT be valid'],
    ['a partition that is a path', vs({ partition: '/Common/apps' }), '/spec/partition', 'must match pattern'],
    [
      'an httpTraffic value outside allow|none|redirect',
      vs({ tlsProfileName: 'edge', httpTraffic: 'deny' }),
      '/spec/httpTraffic',
      'must be equal to one of the allowed values',
    ],
    [
      'a servicePort that is neither integer nor string',
      vs({ pools: [{ service: 'app', servicePort: { port: 80 } }] }),
      '/spec/pools/0/servicePort',
      'must be integer',
    ],
    [
      'a servicePort that is a number with a fraction',
      vs({ pools: [{ service: 'app', servicePort: 80.5 }] }),
      '/spec/pools/0/servicePort',
      'must be integer',
    ],
    [
      'no virtualServerAddress and no ipamLabel (CEL rule)',
      vs({ virtualServerAddress: null }),
      '/spec',
      "must have required property 'virtualServerAddress'",
    ],
    ['an invalid address', vs({ virtualServerAddress: '10.1.10.256' }), '/spec/virtualServerAddress', 'must match pattern'],
    ['a host with an empty label', vs({ host: 'app..example.com' }), '/spec/host', 'must match pattern'],
    ['a host whose last label is a wildcard', vs({ host: 'app.*' }), '/spec/host', 'must match pattern'],
    ['an iRule that is not a BIG-IP path', vs({ iRules: ['Common/rule_1'] }), '/spec/iRules/0', 'must match pattern'],
    ['an HTTP port out of range', vs({ virtualServerHTTPPort: 65536 }), '/spec/virtualServerHTTPPort', 'must be <= 65535'],
    [
      'a defaultPool without reference',
      vs({ defaultPool: { service: 'app', servicePort: 80 } }),
      '/spec/defaultPool',
      "must have required property 'reference'",
    ],
    [
      'two serviceAddress entries',
      vs({ serviceAddress: [{ icmpEcho: 'enable' }, { arpEnabled: true }] }),
      '/spec/serviceAddress',
      'must NOT have more than 1 items',
    ],
    ['TS without pool', ts({ pool: null }), '/spec', "must have required property 'pool'"],
    ['TS without virtualServerPort', ts({ virtualServerPort: null }), '/spec', "must have required property 'virtualServerPort'"],
    [
      'a defaultPool weight over 256',
      vs({ defaultPool: { reference: 'service', service: 'app', servicePort: 80, weight: 257 } }),
      '/spec/defaultPool/weight',
      'must be <= 256',
    ],
    ['TS mode outside standard|performance', ts({ mode: 'fast' }), '/spec/mode', 'must be equal to one of the allowed values'],
    ['TS in partition Common (CEL rule)', ts({ partition: 'Common' }), '/spec', 'must NOT be valid'],
    ['TS pool weight over 100', ts({ pool: { service: 'db', servicePort: 5432, weight: 101 } }), '/spec/pool/weight', 'must be <= 100'],
  ];
  for (const [title, object, instancePath, message] of rejected) {
    it(`rejects: ${title}`, () => {
      const errors = errorsOf(String(object['kind']), dropNulls(object));
      assert.ok(errors.length > 0, 'validated, but must not');
      const found = errors.some((e) => e.instancePath === instancePath && (e.message ?? '').startsWith(message));
      assert.ok(found, `expected "${instancePath}: ${message}" among:\n${formatErrors(errors)}`);
    });
  }

  it('rejects a TLSProfile without termination and a Policy with an unknown autoLastHop', () => {
    const tls = {
      apiVersion: 'cis.f5.com/v1',
      kind: 'TLSProfile',
      metadata: { name: 'edge' },
      spec: { hosts: ['app.example.com'], tls: { reference: 'bigip', clientSSL: '/Common/clientssl' } },
    };
    assert.match(validate('TLSProfile', tls), /\/spec\/tls: must have required property 'termination'/);
    const policy = { apiVersion: 'cis.f5.com/v1', kind: 'Policy', metadata: { name: 'plc' }, spec: { autoLastHop: 'sometimes' } };
    assert.match(validate('Policy', policy), /\/spec\/autoLastHop: must be equal to one of the allowed values/);
  });
});
