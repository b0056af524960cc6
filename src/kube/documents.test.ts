import assert from 'node:assert/strict';
import { parseDocuments } from './documents.js';

describe('parseDocuments', () => {
  it("gives the items of a typed list the list's kind and apiVersion (as the API server answers lists)", () => {
    const parsed = parseDocuments(
      '{"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSliceList", "items": [{"metadata": {"name": "a"}}, {"apiVersion": "other/v2", "kind": "Own", "metadata": {"name": "b"}}]}',
      'slices.json',
    );
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(
      parsed.objects.map((o) => [o.apiVersion, o.kind, o.metadata?.name]),
      [
        ['discovery.k8s.io/v1', 'EndpointSlice', 'a'],
        ['other/v2', 'Own', 'b'],
      ],
    );
  });

  const files: Array<[string, string, Array<[string, string]>, number]> = [
    [
      'a Helm values.yaml: one warning, skipped',
      'replicaCount: 2\nimage: {tag: "1.0"}\n',
      [['warning', 'holds no Kubernetes object (no document has kind or metadata); the file was skipped']],
      0,
    ],
    [
      'a Helm Chart.yaml (apiVersion but no kind): one warning',
      'apiVersion: v2\nname: shop\nversion: 1.0.0\n',
      [['warning', 'holds no Kubernetes object (no document has kind or metadata); the file was skipped']],
      0,
    ],
    [
      'several documents, none an object: still one warning',
      'a: 1\n---\n- x\n---\nplain\n',
      [['warning', 'holds no Kubernetes object (no document has kind or metadata); the file was skipped']],
      0,
    ],
    ['an empty file: nothing to say', '', [], 0],
    [
      'an object without kind beside real ones: an error',
      'apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\nmetadata: {name: b}\n',
      [['error', 'document 2: object has no kind']],
      1,
    ],
    [
      'a list beside real objects: an error',
      'apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n- x\n',
      [['error', 'document 2: expected a Kubernetes object, found a list']],
      1,
    ],
    [
      'invalid YAML: an error, nothing used',
      'kind: [unclosed',
      [['error', 'invalid YAML at line 1: unexpected end of the stream within a flow collection; nothing in this file was used']],
      0,
    ],
  ];
  for (const [what, text, expected, objects] of files) {
    it(what, () => {
      const parsed = parseDocuments(text, 'f.yaml');
      assert.deepEqual(
        parsed.diagnostics.map((d) => [d.severity, d.message]),
        expected,
      );
      assert.equal(parsed.objects.length, objects);
    });
  }

  // Which parser reads a file: JSON when the name ends in .json or the text starts with { or [.
  const formats: Array<[string, string, string, Array<[string, string]>, number]> = [
    ['a .json file', 'svc.json', '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}}', [], 1],
    ['a .yaml file that is JSON', 'svc.yaml', ' \n{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}}', [], 1],
    [
      'JSON from standard input',
      '<stdin>',
      '{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}}]}',
      [],
      1,
    ],
    ['YAML from standard input', '<stdin>', 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\n', [], 1],
    ['a .yaml file written as a YAML flow mapping', 'svc.yaml', '{apiVersion: v1, kind: Service, metadata: {name: a}}', [], 1],
    ['a .yml file with a byte order mark', 'svc.yml', '\ufeffapiVersion: v1\nkind: Service\nmetadata: {name: a}\n', [], 1],
    [
      'a .json file with a trailing comma: a JSON error with its position',
      'svc.json',
      '{\n  "kind": "Service",\n}',
      [['error', 'invalid JSON at line 3, column 1: Expected double-quoted property name; nothing in this file was used']],
      0,
    ],
    [
      'JSON with a syntax error from standard input',
      '<stdin>',
      '{"kind": "List", "items": [\n  {"kind": "Service"}\n',
      [['error', "invalid JSON at line 3, column 1: Expected ',' or ']' after array element; nothing in this file was used"]],
      0,
    ],
    [
      'a .yaml file that is neither JSON nor YAML: the YAML error',
      'svc.yaml',
      '{"kind": "Service",\n  bad: [}',
      [['error', 'invalid YAML at line 2: missed comma between flow collection entries; nothing in this file was used']],
      0,
    ],
    [
      'a JSON array (not a List object): skipped as before',
      'list.json',
      '[{"kind": "Service", "metadata": {"name": "a"}}]',
      [['warning', 'holds no Kubernetes object (no document has kind or metadata); the file was skipped']],
      0,
    ],
  ];
  for (const [what, source, text, expected, objects] of formats) {
    it(`reads ${what}`, () => {
      const parsed = parseDocuments(text, source);
      assert.deepEqual(
        parsed.diagnostics.map((d) => [d.severity, d.message]),
        expected,
      );
      assert.equal(parsed.objects.length, objects);
    });
  }

  it('flattens a kubectl List of several kinds, in order', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' } },
        { apiVersion: 'v1', kind: 'ServiceList', items: [{ metadata: { name: 'b' } }] },
        { apiVersion: 'cis.f5.com/v1', kind: 'VirtualServer', metadata: { name: 'c' } },
      ],
    };
    const parsed = parseDocuments(JSON.stringify(list), 'all.json');
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(
      parsed.objects.map((o) => `${o.kind}/${o.metadata?.name}`),
      ['Service/a', 'Service/b', 'VirtualServer/c'],
    );
  });
});
