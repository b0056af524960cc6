/**
 * Writes a benchmark workload (generate.ts) to disk as the files users give `kube-as3 plan`: one
 * folder per cluster (`DIR/<cluster>/`), each holding one file.
 *
 * - `json-list`: a kubectl-style `kind: List` in JSON (`objects.json`), the objects as generated.
 * - `yaml`: the same objects as multi-document YAML (`objects.yaml`).
 * - `kubectl-dump`: what `kubectl get vs,svc,endpointslices,nodes,ns -A -o json` prints for them
 *   (`objects.json`): a List whose objects carry what the API server adds (uid, resourceVersion,
 *   creationTimestamp, generation, statuses, `managedFields` of kubectl and the controllers) and
 *   kubectl's `last-applied-configuration` annotation; about 3.9 KB per object, so 6,667
 *   VirtualServers (20,000 objects) make about 78 MB (the issue's real dump: 73 MB).
 *
 * Usage: `npx tsx bench/write-workload.ts DIR N CLUSTERS FORMAT [MODE]`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dump } from 'js-yaml';
import type { PoolMemberType } from '../src/config/config.js';
import type { KubeObject } from '../src/kube/types.js';
import { clusterName, generateObjects } from './generate.js';
import type { Workload } from './generate.js';

export type WorkloadFormat = 'json-list' | 'yaml' | 'kubectl-dump';

export interface WorkloadFiles {
  /** The folder of each cluster, in cluster order (`--cluster NAME=PATH` per entry). */
  clusters: Array<{ name: string; path: string }>;
  /** Bytes written, all clusters together. */
  bytes: number;
  /** Objects written, all clusters together. */
  objects: number;
}

export interface WriteOptions {
  n: number;
  clusters: number;
  format: WorkloadFormat;
  /** Pool member mode of the generated Services (default nodeport, as in the issue's figures). */
  mode?: PoolMemberType;
  /** Endpoints per Service, and Nodes per cluster (default 3, as the bench scenarios). */
  membersPerService?: number;
}

const TIME = '2026-01-01T00:00:00Z';

/** Kinds whose status a controller writes (kube-as3's resources). */
const STATUS_KINDS: ReadonlySet<string> = new Set(['VirtualServer', 'TransportServer', 'Ingress']);

/** A deterministic UUID-shaped id for object `i` of cluster `c`. */
function uid(c: number, i: number): string {
  const hex = ((c + 1) * 1_000_003 + i).toString(16).padStart(12, '0');
  return `5f1c2a9e-${hex.slice(0, 4)}-4b7d-9c3e-${hex}`;
}

/** `f:`-keyed field sets as the API server writes them, for every field of `value`. */
function fieldsV1(value: unknown): unknown {
  if (Array.isArray(value)) return {};
  if (value === null || typeof value !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v)) {
      const entries: Record<string, unknown> = { '.': {} };
      // Keyed entries name the first item only; the others are alike.
      if (v.length > 0) entries['k:{"index":0}'] = { '.': {} };
      out[`f:${k}`] = entries;
    } else {
      out[`f:${k}`] = fieldsV1(v);
    }
  }
  return out;
}

/** What the API server adds as status: Nodes keep theirs, Services an empty load balancer, resources a condition. */
function statusOf(obj: KubeObject): unknown {
  if (obj.kind === 'Node') return (obj as { status?: unknown }).status;
  if (obj.kind === 'Service') return { loadBalancer: {} };
  if (!STATUS_KINDS.has(obj.kind ?? '')) return undefined;
  return {
    conditions: [{ type: 'Ready', status: 'True', reason: 'Applied', message: 'the BIG-IP holds this resource', lastTransitionTime: TIME }],
  };
}

/** The object as `kubectl get -o json` prints it after `kubectl apply` and a controller's status write. */
function asDumped(obj: KubeObject, c: number, i: number): KubeObject {
  const applied = JSON.stringify(obj);
  const { apiVersion, kind, metadata = {}, ...body } = obj as KubeObject & Record<string, unknown>;
  const annotations = { ...(metadata.annotations ?? {}), 'kubectl.kubernetes.io/last-applied-configuration': `${applied}\n` };
  const status = statusOf(obj);
  const managedFields = [
    {
      apiVersion,
      fieldsType: 'FieldsV1',
      manager: 'kubectl-client-side-apply',
      operation: 'Update',
      time: TIME,
      fieldsV1: {
        'f:metadata': {
          'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} },
          ...(metadata.labels ? { 'f:labels': fieldsV1(metadata.labels) } : {}),
        },
        ...(fieldsV1(body) as object),
      },
    },
    ...(!STATUS_KINDS.has(kind ?? '')
      ? []
      : [
          {
            apiVersion,
            fieldsType: 'FieldsV1',
            manager: 'kube-as3',
            operation: 'Update',
            subresource: 'status',
            time: TIME,
            fieldsV1: {
              'f:status': {
                'f:conditions': {
                  '.': {},
                  'k:{"type":"Ready"}': {
                    '.': {},
                    'f:lastTransitionTime': {},
                    'f:message': {},
                    'f:reason': {},
                    'f:status': {},
                    'f:type': {},
                  },
                },
              },
            },
          },
        ]),
  ];
  return {
    apiVersion,
    kind,
    metadata: {
      ...metadata,
      annotations,
      creationTimestamp: metadata.creationTimestamp ?? TIME,
      generation: 1,
      managedFields,
      resourceVersion: String(100_000 + i),
      uid: uid(c, i),
    },
    ...body,
    ...(status === undefined ? {} : { status }),
  } as KubeObject;
}

function objectsOf(w: Workload, c: number, format: WorkloadFormat): KubeObject[] {
  const objects = generateObjects(w, c);
  return format === 'kubectl-dump' ? objects.map((o, i) => asDumped(o, c, i)) : objects;
}

function render(objects: KubeObject[], format: WorkloadFormat): string {
  if (format === 'yaml') return objects.map((o) => `---\n${dump(o, { lineWidth: -1, noRefs: true })}`).join('');
  const list = { apiVersion: 'v1', kind: 'List', items: objects, metadata: { resourceVersion: '' } };
  // kubectl indents with four spaces.
  return `${JSON.stringify(list, null, format === 'kubectl-dump' ? 4 : undefined)}\n`;
}

/** Writes the workload under `dir` (created if needed); one folder per cluster. */
export async function writeWorkload(dir: string, options: WriteOptions): Promise<WorkloadFiles> {
  const w: Workload = {
    n: options.n,
    clusters: options.clusters,
    membersPerService: options.membersPerService ?? 3,
    mode: options.mode ?? 'nodeport',
  };
  const out: WorkloadFiles = { clusters: [], bytes: 0, objects: 0 };
  for (let c = 0; c < w.clusters; c++) {
    const name = clusterName(w, c);
    const path = join(dir, name);
    await mkdir(path, { recursive: true });
    const objects = objectsOf(w, c, options.format);
    const text = render(objects, options.format);
    await writeFile(join(path, options.format === 'yaml' ? 'objects.yaml' : 'objects.json'), text);
    out.clusters.push({ name, path });
    out.bytes += Buffer.byteLength(text);
    out.objects += objects.length;
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir, n, clusters, format = 'json-list', mode] = process.argv.slice(2);
  if (!dir || !n || !clusters || !['json-list', 'yaml', 'kubectl-dump'].includes(format)) {
    process.stderr.write('usage: tsx bench/write-workload.ts DIR N CLUSTERS [json-list|yaml|kubectl-dump] [MODE]\n');
    process.exit(1);
  }
  const written = await writeWorkload(dir, {
    n: Number(n),
    clusters: Number(clusters),
    format: format as WorkloadFormat,
    ...(mode ? { mode: mode as PoolMemberType } : {}),
  });
  process.stdout.write(
    `${written.objects} objects, ${(written.bytes / 1e6).toFixed(1)} MB: ${written.clusters.map((c) => `--cluster ${c.name}=${c.path}`).join(' ')}\n`,
  );
}
