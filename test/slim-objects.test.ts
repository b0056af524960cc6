/**
 * Dropping the fields kube-as3 never reads (src/kube/slim-object.ts) changes nothing it plans:
 * for every single-cluster golden case, the objects as written and the same objects with what
 * the API server and kubectl add (managedFields, last-applied-configuration, owner references,
 * statuses, Pod specs, Node images, …) are planned twice, whole and slimmed; the declarations
 * must be byte-identical and the problems the same.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadInputs } from '../src/adapters/input-files.js';
import { crdSchemasFor } from '../src/adapters/crd-schemas.js';
import { defaultConfig, parseConfig } from '../src/config/parse-config.js';
import { populateCluster } from '../src/inventory/populate.js';
import { parseDocuments } from '../src/kube/documents.js';
import { LAST_APPLIED, slimObject } from '../src/kube/slim-object.js';
import type { KubeObject } from '../src/kube/types.js';
import { formatDiagnostic } from '../src/kube/diagnostic.js';
import { Planner } from '../src/plan/planner.js';
import type { Config } from '../src/config/config.js';
import { repoRoot } from './support/as3-validation.js';

const goldenRoot = join(repoRoot, 'test', 'golden');

/** The objects of a case's input files as written (nothing dropped), in the order plan reads them. */
async function wholeObjects(dir: string): Promise<KubeObject[]> {
  const { files } = await loadInputs([dir]);
  return files.flatMap((file) => parseDocuments(readFileSync(file, 'utf8'), file, (o) => o).objects);
}

/** The object as `kubectl get -o json` would print it: with everything kube-as3 does not read. */
function asListed(obj: KubeObject, i: number): KubeObject {
  const o = structuredClone(obj) as KubeObject & Record<string, unknown>;
  if (o.metadata === undefined || o.metadata === null || typeof o.metadata !== 'object') return o;
  const metadata = o.metadata as Record<string, unknown>;
  Object.assign(metadata, {
    managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', fieldsV1: { 'f:metadata': {}, 'f:spec': {} } }],
    ownerReferences: [{ apiVersion: 'v1', kind: 'Owner', name: 'o', uid: 'u' }],
    finalizers: ['example.com/finalizer'],
    selfLink: `/apis/x/${i}`,
  });
  metadata['annotations'] = { ...(metadata['annotations'] as Record<string, string> | undefined), [LAST_APPLIED]: JSON.stringify(obj) };
  if (o.kind === 'Node') {
    const status = (o['status'] ?? {}) as Record<string, unknown>;
    o['status'] = { ...status, images: [{ names: ['registry/image:1'], sizeBytes: 1 }], nodeInfo: { kubeletVersion: 'v1.31.0' } };
  } else if (o.kind === 'Pod') {
    o['spec'] = { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }], nodeName: 'node-1' };
    o['status'] = { phase: 'Running', podIP: '10.244.0.9' };
  } else if (o['status'] === undefined && o.kind !== 'EndpointSlice' && o.kind !== 'Secret' && o.kind !== 'ConfigMap') {
    o['status'] = { conditions: [{ type: 'Ready', status: 'True' }] };
  }
  return o;
}

function planned(objects: KubeObject[], config: Config): string {
  const { state, diagnostics } = populateCluster('local', objects, { crdSchemas: crdSchemasFor(objects) });
  const plan = new Planner(config).plan(state);
  const problems = [...diagnostics, ...plan.diagnostics].map(formatDiagnostic).join('\n');
  return `${JSON.stringify(plan.declaration, null, 2)}\n${problems}`;
}

function configOf(dir: string): Config | undefined {
  const file = join(dir, 'config.yaml');
  if (!existsSync(file)) return defaultConfig();
  const parsed = parseConfig(readFileSync(file, 'utf8'));
  return parsed.config?.multiCluster ? undefined : parsed.config;
}

describe('objects keep what kube-as3 reads (golden cases planned whole and slimmed)', () => {
  const cases = readdirSync(goldenRoot)
    .filter((name) => existsSync(join(goldenRoot, name, 'input')))
    .sort();

  it('has the single-cluster golden cases to compare', () => assert.ok(cases.length >= 60, `${cases.length} cases`));

  for (const name of cases) {
    it(name, async () => {
      const dir = join(goldenRoot, name);
      const config = configOf(dir);
      if (!config) return;
      const written = await wholeObjects(join(dir, 'input'));
      const listed = written.map(asListed);
      const expected = planned(written, config);
      assert.equal(planned(written.map(slimObject), config), expected, 'as written: slimmed plans like whole');
      assert.equal(planned(listed, config), expected, 'with what the API server adds: whole plans like written');
      assert.equal(planned(listed.map(slimObject), config), expected, 'with what the API server adds: slimmed plans like written');
    });
  }
});
