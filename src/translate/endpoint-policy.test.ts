import assert from 'node:assert/strict';
import { compareRoutes, translateEndpointPolicy } from './endpoint-policy.js';
import type { PolicyRoute } from './endpoint-policy.js';
import { as3Name, NameScope } from './names.js';

describe('compareRoutes (first-match order)', () => {
  it('puts exact hosts before wildcards (longest first), host-less last, deeper paths first', () => {
    const routes: PolicyRoute[] = [
      { path: '/', pool: 'p' },
      { host: '*.example.com', path: '/', pool: 'p' },
      { host: 'a.example.com', path: '/', pool: 'p' },
      { path: '/api/v1', pool: 'p' },
      { host: '*.b.example.com', path: '/', pool: 'p' },
      { host: 'a.example.com', path: '/api', pool: 'p' },
    ];
    const order = [...routes].sort(compareRoutes).map((r) => `${r.host ?? '-'}${r.path}`);
    assert.deepEqual(order, ['a.example.com/api', 'a.example.com/', '*.b.example.com/', '*.example.com/', '-/api/v1', '-/']);
  });
});

describe('translateEndpointPolicy', () => {
  it('matches host with and without the port and each path segment', () => {
    const policy = translateEndpointPolicy([{ host: 'a.example.com', path: '/api/v2', pool: 'api' }], 8080);
    const rule = (policy['rules'] as Array<{ conditions: unknown[] }>)[0];
    assert.deepEqual(rule?.conditions, [
      { type: 'httpHeader', name: 'host', event: 'request', all: { operand: 'equals', values: ['a.example.com', 'a.example.com:8080'] } },
      { type: 'httpUri', event: 'request', index: 1, pathSegment: { operand: 'equals', values: ['api'] } },
      { type: 'httpUri', event: 'request', index: 2, pathSegment: { operand: 'equals', values: ['v2'] } },
    ]);
  });

  it('matches a wildcard host by suffix', () => {
    const policy = translateEndpointPolicy([{ host: '*.example.com', path: '/', pool: 'p' }], 80);
    const rule = (policy['rules'] as Array<{ conditions: Array<{ all: unknown }> }>)[0];
    assert.deepEqual(rule?.conditions[0]?.all, { operand: 'ends-with', values: ['.example.com', '.example.com:80'] });
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
