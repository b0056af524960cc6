import assert from 'node:assert/strict';
import { validateConfig } from '../config/parse-config.js';
import type { KubeObject, Namespace } from '../kube/types.js';
import { Selection } from './selection.js';

function selection(config: object): Selection {
  const result = validateConfig(config);
  assert.ok(result.config, JSON.stringify(result.errors));
  return new Selection(result.config);
}

const namespaces: Record<string, Namespace> = {
  prod: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { team: 'a' } } },
  dev: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev', labels: { team: 'b' } } },
};
const lookup = (name: string): Namespace | undefined => namespaces[name];
const vs = (namespace: string, labels: Record<string, string> = { f5cr: 'true' }): KubeObject => ({
  kind: 'VirtualServer',
  metadata: { name: 'x', namespace, labels },
});

describe('Selection', () => {
  const cases: Array<[string, object, KubeObject, RegExp | undefined]> = [
    ['selects a labelled resource by default', {}, vs('prod'), undefined],
    ['skips an unlabelled resource', {}, vs('prod', {}), /labels do not match customResourceLabel "f5cr in \(true\)"/],
    ['skips a namespace outside namespaces', { namespaces: ['dev'] }, vs('prod'), /namespace prod is not in the configured namespaces/],
    ['selects by namespaceLabel', { namespaceLabel: 'team=a' }, vs('prod'), undefined],
    [
      'skips a namespace that does not match namespaceLabel',
      { namespaceLabel: 'team=a' },
      vs('dev'),
      /namespace dev does not match namespaceLabel "team=a"/,
    ],
    ['skips an unknown namespace under namespaceLabel', { namespaceLabel: 'team=a' }, vs('unknown'), /namespace unknown does not match/],
  ];
  for (const [what, config, obj, reason] of cases) {
    it(what, () => {
      const skip = selection(config).skipReason(obj, lookup);
      if (reason) assert.match(skip ?? '', reason);
      else assert.equal(skip, undefined);
    });
  }
});
