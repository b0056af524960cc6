import assert from 'node:assert/strict';
import { compareRoutes, rewriteValue, translateEndpointPolicy } from './endpoint-policy.js';
import type { PolicyRule } from './endpoint-policy.js';
import { as3Name, NameScope } from '../model/names.js';

describe('compareRoutes (first-match order)', () => {
  it('puts exact hosts before wildcards (longest first), host-less last, deeper paths first', () => {
    const routes = [
      { path: '/' },
      { host: '*.example.com', path: '/' },
      { host: 'a.example.com', path: '/' },
      { path: '/api/v1' },
      { host: '*.b.example.com', path: '/' },
      { host: 'a.example.com', path: '/api' },
      { host: 'a.example.com', path: '/', exact: true },
    ];
    const order = [...routes].sort(compareRoutes).map((r) => `${r.host ?? '-'}${'exact' in r ? '=' : ''}${r.path}`);
    assert.deepEqual(order, [
      'a.example.com/api',
      'a.example.com=/',
      'a.example.com/',
      '*.b.example.com/',
      '*.example.com/',
      '-/api/v1',
      '-/',
    ]);
  });
});

describe('translateEndpointPolicy', () => {
  it('matches host with and without the port and each path segment', () => {
    const policy = translateEndpointPolicy([{ host: 'a.example.com', path: '/api/v2', action: { pool: 'api' } }], 8080);
    const rule = (policy['rules'] as Array<{ conditions: unknown[] }>)[0];
    assert.deepEqual(rule?.conditions, [
      { type: 'httpHeader', name: 'host', event: 'request', all: { operand: 'equals', values: ['a.example.com', 'a.example.com:8080'] } },
      { type: 'httpUri', event: 'request', index: 1, pathSegment: { operand: 'equals', values: ['api'] } },
      { type: 'httpUri', event: 'request', index: 2, pathSegment: { operand: 'equals', values: ['v2'] } },
    ]);
  });

  it('matches a wildcard host by suffix', () => {
    const policy = translateEndpointPolicy([{ host: '*.example.com', path: '/', action: { pool: 'p' } }], 80);
    const rule = (policy['rules'] as Array<{ conditions: Array<{ all: unknown }> }>)[0];
    assert.deepEqual(rule?.conditions[0]?.all, { operand: 'ends-with', values: ['.example.com', '.example.com:80'] });
  });

  type Rule = { name: string; conditions: Array<Record<string, unknown>>; actions: Array<Record<string, unknown>> };
  const rulesOf = (rules: PolicyRule[], mode: 'http' | 'sni' = 'http'): Rule[] =>
    translateEndpointPolicy(rules, 443, mode)['rules'] as Rule[];

  it('rewrites the matched path prefix and the host header alongside the forward', () => {
    const [rule] = rulesOf([
      { path: '/old', action: { pool: 'p', rewrite: { from: '/old', to: '/new' }, hostRewrite: 'internal.example.com' } },
    ]);
    assert.deepEqual(
      rule?.actions.map((a) => a['type']),
      ['forward', 'httpUri', 'httpHeader'],
    );
    assert.deepEqual(
      rule?.actions[1]?.['replace'],
      { value: 'tcl:[regsub -nocase {^/old} [HTTP::uri] {/new}]' },
      "in any case, like the rule's match",
    );
    assert.deepEqual(rule?.actions[2]?.['replace'], { name: 'host', value: 'internal.example.com' });
  });

  const rewrites: Array<[string, string, string]> = [
    ['/api', '/', 'tcl:[regsub {^/api/?} [HTTP::uri] {/}]'],
    ['/api', '/v2/', 'tcl:[regsub {^/api/?} [HTTP::uri] {/v2/}]'],
    ['/', '/app', 'tcl:[regsub {^/} [HTTP::uri] {/app/}]'],
    ['/a.b', '/x&y', 'tcl:[regsub {^/a\\.b} [HTTP::uri] {/x\\&y}]'],
  ];
  for (const [from, to, value] of rewrites) {
    it(`rewrites ${from} to ${to} without doubling or losing slashes`, () => assert.equal(rewriteValue(from, to, true), value));
  }

  it('a case-insensitive rule rewrites the prefix in any case (-nocase); a case-sensitive one matches it exactly', () => {
    assert.equal(rewriteValue('/api', '/v2'), 'tcl:[regsub -nocase {^/api} [HTTP::uri] {/v2}]');
    assert.equal(rewriteValue('/api', '/v2', true), 'tcl:[regsub {^/api} [HTTP::uri] {/v2}]');
  });

  it('compares path segments and exact paths case-sensitively only when the rule asks (Ingress paths)', () => {
    const [prefix] = rulesOf([{ path: '/Api', caseSensitive: true, action: { pool: 'p' } }]);
    assert.deepEqual(prefix?.conditions[0], {
      type: 'httpUri',
      event: 'request',
      index: 1,
      pathSegment: { operand: 'equals', values: ['Api'], caseSensitive: true },
    });
    const [exact] = rulesOf([{ path: '/Api', exact: true, caseSensitive: true, action: { pool: 'p' } }]);
    assert.deepEqual(exact?.conditions[0], {
      type: 'httpUri',
      event: 'request',
      path: { operand: 'equals', values: ['/Api'], caseSensitive: true },
    });
    const [anyCase] = rulesOf([{ path: '/Api', action: { pool: 'p' } }]);
    assert.deepEqual(anyCase?.conditions[0], {
      type: 'httpUri',
      event: 'request',
      index: 1,
      pathSegment: { operand: 'equals', values: ['Api'] },
    });
  });

  it('follows a source-range rule with a rule that drops other clients of the same host and path', () => {
    const rules = rulesOf([{ host: 'a.example.com', path: '/', sourceRanges: ['10.0.0.0/8'], action: { pool: 'p' } }]);
    assert.deepEqual(
      rules.map((r) => r.name),
      ['r1_a.example.com', 'r1_a.example.com_denied'],
    );
    assert.deepEqual(rules[0]?.conditions[1], { type: 'tcp', event: 'request', address: { values: ['10.0.0.0/8'] } });
    assert.deepEqual(rules[1]?.actions, [{ type: 'drop', event: 'request' }]);
  });

  it('redirects with the location and code, matching an exact path when asked', () => {
    const [rule] = rulesOf([{ host: 'a.example.com', path: '/', exact: true, action: { redirect: { location: '/app', code: 302 } } }]);
    assert.deepEqual(rule?.conditions[1], { type: 'httpUri', event: 'request', path: { operand: 'equals', values: ['/'] } });
    assert.deepEqual(rule?.actions, [{ type: 'httpRedirect', event: 'request', location: '/app', code: 302 }]);
  });

  it('routes passthrough traffic on the SNI name at client hello', () => {
    const [rule] = rulesOf([{ host: '*.example.com', path: '/', action: { pool: 'p' } }], 'sni');
    assert.deepEqual(rule?.conditions, [
      { type: 'sslExtension', event: 'ssl-client-hello', serverName: { operand: 'ends-with', values: ['.example.com'] } },
    ]);
    assert.deepEqual(rule?.actions, [{ type: 'forward', event: 'ssl-client-hello', select: { pool: { use: 'p' } } }]);
  });
});

describe('AS3 names', () => {
  const cases: Array<[string, string]> = [
    ['web_80_default', 'web_80_default'],
    ['my-svc_http_team.a', 'my_svc_http_team_a'],
    ['80_web', 'n_80_web'],
  ];
  for (const [input, expected] of cases) it(`${input} → ${expected}`, () => assert.equal(as3Name(input), expected));

  it('shortens long names to 64 characters with a digest, distinct for distinct inputs', () => {
    const a = as3Name(`${'x'.repeat(80)}_a`);
    const b = as3Name(`${'x'.repeat(80)}_b`);
    assert.equal(a.length, 64);
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z][0-9A-Za-z_]{0,63}$/);
  });

  it('NameScope gives a colliding second key a distinct, stable name', () => {
    const scope = new NameScope();
    assert.equal(scope.claim('pool', 'k1'), 'pool');
    const second = scope.claim('pool', 'k2');
    assert.notEqual(second, 'pool');
    assert.equal(scope.claim('pool', 'k2'), second);
    assert.equal(scope.claim('pool', 'k1'), 'pool');
  });
});
