import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { parseYamlText } from './yaml-text.js';

function values(text: string): unknown[] {
  const parsed = parseYamlText(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
  return parsed.values;
}

describe('YAML input text', () => {
  // What a Kubernetes manifest means must not change with the parser: the same values as the
  // `yaml` library (YAML 1.2 core schema) gave before.
  const scalars: Array<[string, string]> = [
    ['on/off and yes/no stay strings (YAML 1.2)', 'a: on\nb: off\nc: yes\nd: no\ne: y\nf: n\n'],
    ['true/false/null spellings', 'a: true\nb: False\nc: NULL\nd: ~\ne:\n'],
    ['octal-looking and hex numbers', 'a: 012\nb: 0o17\nc: 0x1f\nd: "0777"\ne: 0777\n'],
    ['unquoted dates and times stay strings', 'a: 2026-01-01\nb: 2026-01-01T00:00:00Z\n'],
    ['numbers and number-like strings', 'a: 1e3\nb: 1_000\nc: 8080\nd: "8080"\ne: 1.5\nf: 10.1.2.3\n'],
    ['block scalars', 'a: |\n  line 1\n  line 2\nb: >-\n  folded\n  text\n'],
    ['anchors and aliases', 'a: &x {p: 1}\nb: *x\nc: [*x, *x]\n'],
  ];
  for (const [what, text] of scalars) {
    it(`reads ${what} as the yaml library did`, () => assert.deepEqual(values(text), [parse(text)]));
  }

  it("applies merge keys (as Kubernetes' YAML reader does), later keys winning", () => {
    const text = 'base: &base {port: 80, protocol: TCP}\nport: {<<: *base, port: 8080}\nlist: {<<: [*base], name: x}\n';
    assert.deepEqual(values(text), [
      {
        base: { port: 80, protocol: 'TCP' },
        port: { port: 8080, protocol: 'TCP' },
        list: { port: 80, protocol: 'TCP', name: 'x' },
      },
    ]);
  });

  it('reads several documents, empty ones as null', () => {
    assert.deepEqual(values('a: 1\n---\n---\nb: 2\n'), [{ a: 1 }, null, { b: 2 }]);
    assert.deepEqual(values(''), []);
  });

  const errors: Array<[string, string, string]> = [
    [
      'an unclosed flow sequence at the end',
      'kind: [unclosed',
      'invalid YAML at line 1: unexpected end of the stream within a flow collection',
    ],
    ['a duplicated key', 'kind: Service\nkind: Pod\n', 'invalid YAML at line 2: duplicated mapping key'],
    ['a bad indentation', 'metadata:\n  name: a\n namespace: b\n', 'invalid YAML at line 3: bad indentation of a mapping entry'],
    ['a tab indentation', 'spec:\n\tports: []\n', 'invalid YAML at line 2: tab characters must not be used in indentation'],
  ];
  for (const [what, text, message] of errors) {
    it(`says on which line: ${what}`, () => assert.deepEqual(parseYamlText(text), { ok: false, message }));
  }

  it('refuses aliases that expand without bound (billion laughs), as the yaml library did', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (const [i, name] of ['b', 'c', 'd', 'e', 'f'].entries()) {
      const previous = String.fromCharCode('a'.charCodeAt(0) + i);
      levels.push(`${name}: &${name} [${Array.from({ length: 10 }, () => `*${previous}`).join(',')}]`);
    }
    const parsed = parseYamlText(`${levels.join('\n')}\n`);
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assert.match(parsed.message, /^invalid YAML: its aliases expand to more than/);
  });

  it('accepts the ordinary use of aliases (shared labels)', () => {
    const items = Array.from(
      { length: 2000 },
      (_, i) => `- {kind: Service, metadata: {name: s${i}, labels: ${i === 0 ? '&l {app: shop, tier: web}' : '*l'}}}`,
    );
    const [list] = values(`kind: List\nitems:\n${items.join('\n')}\n`) as Array<{ items: unknown[] }>;
    assert.equal(list?.items.length, 2000);
  });
});
