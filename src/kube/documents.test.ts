import assert from 'node:assert/strict';
import { parseDocuments } from './documents.js';

describe('parseDocuments', () => {
  it('gives the items of a typed list the list\'s kind and apiVersion (as the API server answers lists)', () => {
    const parsed = parseDocuments('{"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSliceList", "items": [{"metadata": {"name": "a"}}, {"apiVersion": "other/v2", "kind": "Own", "metadata": {"name": "b"}}]}', 'slices.json');
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(parsed.objects.map((o) => [o.apiVersion, o.kind, o.metadata?.name]), [['discovery.k8s.io/v1', 'EndpointSlice', 'a'], ['other/v2', 'Own', 'b']]);
  });

  const files: Array<[string, string, Array<[string, string]>, number]> = [
    ['a Helm values.yaml: one warning, skipped', 'replicaCount: 2\nimage: {tag: "1.0"}\n', [['warning', 'holds no Kubernetes object (no document has kind or metadata); the file was skipped']], 0],
    ['a Helm Chart.yaml (apiVersion but no kind): one warning', 'apiVersion: v2\nname: shop\nversion: 1.0.0\n', [['warning', 'holds no Kubernetes object (no document has kind or metadata); the file was skipped']], 0],
    ['several documents, none an object: still one warning', 'a: 1\n---\n- x\n---\nplain\n', [['warning', 'holds no Kubernetes object (no document has kind or metadata); the file was skipped']], 0],
    ['an empty file: nothing to say', '', [], 0],
    ['an object without kind beside real ones: an error', 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\nmetadata: {name: b}\n', [['error', 'document 2: object has no kind']], 1],
    ['a list beside real objects: an error', 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n- x\n', [['error', 'document 2: expected a Kubernetes object, found a list']], 1],
    ['invalid YAML: an error, nothing used', 'kind: [unclosed', [['error', 'invalid YAML at line 1: Flow sequence in block collection must be sufficiently indented and end with a ]; nothing in this file was used']], 0],
  ];
  for (const [what, text, expected, objects] of files) {
    it(what, () => {
      const parsed = parseDocuments(text, 'f.yaml');
      assert.deepEqual(parsed.diagnostics.map((d) => [d.severity, d.message]), expected);
      assert.equal(parsed.objects.length, objects);
    });
  }
});
