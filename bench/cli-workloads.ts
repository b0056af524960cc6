/**
 * Input files for the end-to-end CLI scenarios of `npm run bench` (bench/cli.ts), made from the
 * bench/generate.ts workload in the shapes users feed `kube-as3 plan`:
 *   json-list     one `kind: List` JSON file per cluster (`kubectl get -o json` without server fields)
 *   yaml          one multi-document YAML file per cluster, block style (`kubectl get -o yaml` style)
 *   kubectl-dump  one `kubectl get -o json` dump per cluster as the API server returns it: uid,
 *                 resourceVersion, the last-applied annotation, managedFields and 4-space indents
 * Returns the `plan` arguments that read them: `-f FILE` for one cluster, `--cluster cN=FILE` for more.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterName, generateObjects } from './generate.js';
import type { Workload } from './generate.js';
import type { KubeObject } from '../src/kube/types.js';

export type CliWorkloadFormat = 'json-list' | 'yaml' | 'kubectl-dump';

export interface CliWorkload {
  n: number;
  clusters: number;
  format: CliWorkloadFormat;
}

const PLAIN_KEY = /^[A-Za-z0-9_./-]+$/;
/** Strings written without quotes, as kubectl does, unless YAML would read them as something else. */
const PLAIN_STRING = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const RESERVED = /^(true|false|null|yes|no|on|off|y|n)$/i;

function yamlScalar(value: unknown): string {
  if (typeof value !== 'string') return String(value);
  // JSON strings are YAML double-quoted scalars.
  return PLAIN_STRING.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value);
}

/** `value` as block-style YAML at `indent`: ' scalar', or lines each starting with a newline. */
function yamlBlock(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []';
    // A mapping item starts on the dash line: `- key: value`, its other keys below it.
    return value.map((item) => `\n${indent}-${yamlBlock(item, `${indent}  `).replace(/^\n {2,}/, ' ')}`).join('');
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return ' {}';
    return entries
      .map(([key, v]) => `\n${indent}${PLAIN_KEY.test(key) ? key : JSON.stringify(key)}:${yamlBlock(v, `${indent}  `)}`)
      .join('');
  }
  return ` ${yamlScalar(value)}`;
}

/** The FieldsV1 of a manager owning every field of `value` (`f:` keys, `.` for the object itself). */
function fieldsV1(value: unknown): unknown {
  if (Array.isArray(value)) return Object.fromEntries(value.map((item, i) => [`i:${i}`, fieldsV1(item)]));
  if (value === null || typeof value !== 'object') return {};
  return { '.': {}, ...Object.fromEntries(Object.entries(value).map(([k, v]) => [`f:${k}`, fieldsV1(v)])) };
}

/** Kinds people apply with kubectl (the rest are written by controllers): they carry the last-applied annotation. */
const APPLIED = new Set(['VirtualServer', 'Service', 'Namespace']);

/** `obj` as the API server returns it to `kubectl get -o json`. */
function asServed(obj: KubeObject, index: number): KubeObject {
  const { metadata = {}, ...rest } = obj;
  const kind = obj.kind ?? '';
  const applied = APPLIED.has(kind);
  const time = '2026-01-01T00:00:00Z';
  const manager = applied ? 'kubectl-client-side-apply' : `${kind.toLowerCase()}-controller`;
  const managedFields = [
    {
      apiVersion: obj.apiVersion,
      fieldsType: 'FieldsV1',
      fieldsV1: fieldsV1({ ...rest, metadata: { labels: metadata.labels ?? {} } }),
      manager,
      operation: 'Update',
      time,
    },
  ];
  const annotations = {
    ...(metadata.annotations ?? {}),
    ...(applied ? { 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(obj)}\n` } : {}),
  };
  const uid = `${(index + 0x10000000).toString(16)}-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
  return {
    ...rest,
    metadata: {
      ...metadata,
      annotations,
      creationTimestamp: time,
      generation: 1,
      managedFields,
      resourceVersion: String(1000 + index),
      uid,
    },
  } as KubeObject;
}

function fileText(objects: KubeObject[], format: CliWorkloadFormat): string {
  if (format === 'yaml') return objects.map((o) => `---${yamlBlock(o, '')}\n`).join('');
  if (format === 'json-list') return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects });
  const items = objects.map(asServed);
  return `${JSON.stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }, null, 4)}\n`;
}

/** Writes the workload into `dir` (one file per cluster); gives the `plan` arguments and the bytes written. */
export function writeCliWorkload(dir: string, w: CliWorkload): { args: string[]; bytes: number; objects: number } {
  const workload: Workload = { n: w.n, clusters: w.clusters, membersPerService: 3, mode: 'nodeport' };
  const args: string[] = [];
  let bytes = 0;
  let count = 0;
  for (let c = 0; c < w.clusters; c++) {
    const objects = generateObjects(workload, c);
    const file = join(dir, `${clusterName(workload, c)}.${w.format === 'yaml' ? 'yaml' : 'json'}`);
    const text = fileText(objects, w.format);
    writeFileSync(file, text);
    bytes += Buffer.byteLength(text);
    count += objects.length;
    args.push(...(w.clusters === 1 ? ['-f', file] : ['--cluster', `${clusterName(workload, c)}=${file}`]));
  }
  return { args, bytes, objects: count };
}
