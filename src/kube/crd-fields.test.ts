import assert from 'node:assert/strict';
import { crdSchemaKey, crdSchemasOf } from './crd-fields.js';

describe('crdSchemasOf', () => {
  const crd = (versions: unknown[]): unknown => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    spec: { group: 'example.com', names: { kind: 'Widget' }, versions },
  });
  const schema = { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } };

  it('keys each served version by apiVersion and kind', () => {
    const schemas = crdSchemasOf([
      crd([
        { name: 'v1', served: true, schema: { openAPIV3Schema: schema } },
        { name: 'v2', served: false, schema: { openAPIV3Schema: schema } },
      ]),
    ]);
    assert.deepEqual([...schemas.keys()], [crdSchemaKey('example.com/v1', 'Widget')]);
    assert.deepEqual([...(schemas.get('example.com/v1 Widget')?.properties?.get('spec')?.properties?.keys() ?? [])], ['size']);
  });

  it('ignores documents that are not CRDs', () => {
    assert.equal(crdSchemasOf([null, 'text', { kind: 'ConfigMap' }, { kind: 'CustomResourceDefinition', spec: {} }]).size, 0);
  });

  it('a version without a schema preserves every field (nothing can be called unknown)', () => {
    assert.equal(crdSchemasOf([crd([{ name: 'v1', served: true }])]).get('example.com/v1 Widget')?.preserveUnknown, true);
  });
});
