import assert from 'node:assert/strict';
import { CRD_DIR, readCrdSchemas } from '../adapters/crd-schemas.js';
import { crdSchemaKey, fieldSchemaOf } from './crd-fields.js';
import type { FieldSchema } from './crd-fields.js';
import type { KubeObject } from './types.js';
import { unknownFields, unknownFieldWarnings } from './unknown-fields.js';

/** The shipped CRDs: the known names come from them, not from a list kept here. */
const shipped = readCrdSchemas(CRD_DIR);

function schemaOf(kind: string): FieldSchema {
  const schema = shipped.get(crdSchemaKey('cis.f5.com/v1', kind));
  assert.ok(schema, `no schema for ${kind} in crds/`);
  return schema;
}

function object(kind: string, rest: Record<string, unknown>): KubeObject {
  return { apiVersion: 'cis.f5.com/v1', kind, metadata: { name: 'web', namespace: 'shop' }, ...rest } as KubeObject;
}

describe('unknownFields (against the shipped CRDs)', () => {
  const cases: Array<[string, string, Record<string, unknown>, Array<[string, string?]>]> = [
    [
      'a valid VirtualServer has none',
      'VirtualServer',
      {
        spec: {
          host: 'a.example.com',
          virtualServerAddress: '10.0.0.1',
          pools: [{ path: '/', service: 'web', servicePort: 80, monitor: { type: 'http', interval: 5 } }],
        },
      },
      [],
    ],
    [
      'a misspelt pool field, with its fix',
      'VirtualServer',
      {
        spec: {
          virtualServerAddress: '10.0.0.1',
          pools: [
            { service: 'web', servicePort: 80 },
            { service: 'api', servicePort: 80, loadBalancingMetod: 'round-robin' },
          ],
        },
      },
      [['spec.pools[1].loadBalancingMetod', 'loadBalancingMethod']],
    ],
    [
      'deep in a list of lists',
      'VirtualServer',
      {
        spec: {
          virtualServerAddress: '10.0.0.1',
          pools: [{ service: 'web', servicePort: 80, monitors: [{ type: 'http' }, { type: 'tcp', intervall: 5 }] }],
        },
      },
      [['spec.pools[0].monitors[1].intervall', 'interval']],
    ],
    [
      'a name too far from every field: no guess',
      'VirtualServer',
      { spec: { virtualServerAddress: '10.0.0.1', colour: 'blue' } },
      [['spec.colour']],
    ],
    [
      'letter case',
      'TransportServer',
      { spec: { virtualServerPort: 5432, pool: { service: 'db', serviceport: 5432 } } },
      [['spec.pool.serviceport', 'servicePort']],
    ],
    ['a misspelt top-level field', 'TLSProfile', { spce: { tls: { termination: 'edge' } } }, [['spce', 'spec']]],
    ['a misspelt metadata field', 'Policy', { metadata: { name: 'p', namespce: 'shop' }, spec: {} }, [['metadata.namespce', 'namespace']]],
    ['status is not input: never checked', 'VirtualServer', { spec: { virtualServerAddress: '10.0.0.1' }, status: { anything: 1 } }, []],
    [
      'TLSProfile nested object',
      'TLSProfile',
      { spec: { tls: { termination: 'edge', clientSSL: '/Common/clientssl', refernce: 'bigip' } } },
      [['spec.tls.refernce', 'reference']],
    ],
  ];
  for (const [what, kind, rest, expected] of cases) {
    it(`${kind}: ${what}`, () => {
      const found = unknownFields(object(kind, rest), schemaOf(kind)).map((u) =>
        u.suggestion === undefined ? [u.field] : [u.field, u.suggestion],
      );
      assert.deepEqual(found, expected);
    });
  }

  it('gives one warning per field, naming the resource, the field and the fix', () => {
    const obj = object('VirtualServer', {
      spec: { virtualServerAddress: '10.0.0.1', pools: [{ service: 'web', servicePort: 80, loadBalancingMetod: 'x' }] },
    });
    const [warning, ...rest] = unknownFieldWarnings(
      { kind: 'VirtualServer', namespace: 'shop', name: 'web' },
      obj,
      schemaOf('VirtualServer'),
    );
    assert.deepEqual(rest, []);
    assert.deepEqual(warning, {
      ref: { kind: 'VirtualServer', namespace: 'shop', name: 'web' },
      severity: 'warning',
      field: 'spec.pools[0].loadBalancingMetod',
      message: 'unknown field; did you mean loadBalancingMethod?',
    });
  });
});

describe('unknownFields (schema keywords)', () => {
  const schema = fieldSchemaOf({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          partly: {
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
            properties: { known: { type: 'object', properties: { a: { type: 'string' } } } },
          },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          byName: { type: 'object', additionalProperties: { type: 'object', properties: { port: { type: 'integer' } } } },
          empty: { type: 'object' },
          port: { 'x-kubernetes-int-or-string': true },
        },
      },
    },
  });
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['x-kubernetes-preserve-unknown-fields keeps anything', { free: { x: { y: 1 } } }, []],
    [
      'preserved object: its known fields are still checked below',
      { partly: { other: 1, known: { a: 'x', b: 'y' } } },
      ['spec.partly.known.b'],
    ],
    ['a map allows any key', { labels: { anything: 'x' } }, []],
    ['a map of objects checks each value', { byName: { web: { port: 80, prot: 'TCP' } } }, ['spec.byName.web.prot']],
    ['an object without properties holds no fields', { empty: { x: 1 } }, ['spec.empty.x']],
    ['int-or-string is a leaf', { port: 80 }, []],
    ['a value of the wrong type is left to the normalizers', { labels: 'not-a-map', byName: [1] }, []],
  ];
  for (const [what, spec, expected] of cases) {
    it(what, () =>
      assert.deepEqual(
        unknownFields({ apiVersion: 'x/v1', kind: 'X', spec } as KubeObject, schema).map((u) => u.field),
        expected,
      ),
    );
  }
});
