/**
 * The benchmark's workload files (bench/write-workload.ts) are what `plan` reads: each format
 * gives the same objects, and a kubectl dump's additions are dropped as it is read.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeWorkload } from '../bench/write-workload.js';
import type { WorkloadFormat } from '../bench/write-workload.js';
import { loadInputs } from '../src/adapters/input-files.js';

describe('bench/write-workload.ts', () => {
  const formats: WorkloadFormat[] = ['json-list', 'yaml', 'kubectl-dump'];
  for (const format of formats) {
    it(`writes ${format} files that plan reads without a problem`, async () => {
      const dir = mkdtempSync(join(tmpdir(), `kube-as3-workload-${format}-`));
      const written = await writeWorkload(dir, { n: 4, clusters: 2, format });
      assert.deepEqual(
        written.clusters.map((c) => c.name),
        ['c1', 'c2'],
      );
      for (const cluster of written.clusters) {
        const loaded = await loadInputs([cluster.path]);
        assert.deepEqual(loaded.diagnostics, []);
        // 3 Nodes, the Namespace, and a Service, an EndpointSlice and a VirtualServer per VirtualServer.
        assert.equal(loaded.objects.length, 3 + 1 + 4 * 3);
        assert.ok(loaded.objects.every((o) => !('managedFields' in (o.metadata ?? {}))));
      }
      assert.equal(written.objects, 2 * 16);
    });
  }

  it('gives a kubectl dump what the API server and kubectl add', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kube-as3-workload-dump-'));
    const written = await writeWorkload(dir, { n: 2, clusters: 1, format: 'kubectl-dump' });
    const path = written.clusters[0]?.path ?? '';
    const list = JSON.parse(readFileSync(join(path, 'objects.json'), 'utf8')) as {
      kind: string;
      items: Array<{ metadata: Record<string, unknown> }>;
    };
    assert.equal(list.kind, 'List');
    for (const item of list.items) {
      assert.ok(Array.isArray(item.metadata['managedFields']));
      assert.ok('kubectl.kubernetes.io/last-applied-configuration' in (item.metadata['annotations'] as object));
    }
  });
});
