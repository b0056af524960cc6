import type { Diagnostic } from './diagnostic.js';
import { diagnostic } from './diagnostic.js';
import type { KubeObject } from './types.js';
import { isRecord } from '../lib/is-record.js';
import { looksLikeJson, parseJsonText, withoutBom } from './json-text.js';
import type { ParsedText } from './json-text.js';
import { parseYamlText } from './yaml-text.js';
import { slimObject } from './slim-object.js';

export interface ParsedDocuments {
  objects: KubeObject[];
  diagnostics: Diagnostic[];
}

/** What of each object is kept: what kube-as3 reads (slim-object.ts); tests keep everything. */
type Keep = (obj: KubeObject) => KubeObject;

function fileRef(source: string): Diagnostic['ref'] {
  return { kind: 'File', namespace: '', name: source };
}

/** Flattens `kind: List` (what `kubectl get -o yaml` prints) and `*List` kinds into their items. */
function flatten(value: unknown, source: string, where: string, out: ParsedDocuments, keep: Keep): void {
  if (value === null || value === undefined) return;
  if (!isRecord(value)) {
    out.diagnostics.push(
      diagnostic(
        fileRef(source),
        'error',
        `${where}: expected a Kubernetes object, found ${Array.isArray(value) ? 'a list' : typeof value}`,
      ),
    );
    return;
  }
  const kind = value['kind'];
  if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(value['items'])) {
    // A typed list (`EndpointSliceList`, as the API server answers) says kind and apiVersion once for all items.
    const listKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
    const listVersion = value['apiVersion'];
    value['items'].forEach((item, i) => {
      if (listKind && isRecord(item) && item['kind'] === undefined) {
        item['kind'] = listKind;
        if (item['apiVersion'] === undefined && listVersion !== undefined) item['apiVersion'] = listVersion;
      }
      flatten(item, source, `${where} item ${i + 1}`, out, keep);
    });
    return;
  }
  if (typeof kind !== 'string' || kind === '') {
    out.diagnostics.push(diagnostic(fileRef(source), 'error', `${where}: object has no kind`));
    return;
  }
  out.objects.push(keep(value as KubeObject));
}

/**
 * JSON when the name says so or the text starts with `{` or `[` (as kubectl decides), else YAML.
 * A `.yaml` file written as a YAML flow mapping (`{kind: Service, …}`) is not JSON: it is read as
 * YAML when it is not valid JSON.
 */
function parseText(text: string, source: string): ParsedText {
  const yamlName = /\.ya?ml$/i.test(source);
  if (!/\.json$/i.test(source) && !looksLikeJson(text)) return parseYamlText(text);
  const json = parseJsonText(text);
  return json.ok || !yamlName ? json : parseYamlText(text);
}

/**
 * Parses one input file's text: JSON (json-text.ts) or multi-document YAML (yaml-text.ts). A
 * syntax error anywhere in a file rejects the whole file, because a parser cannot say which objects
 * around the error were read as intended; other files are unaffected. Objects keep only what
 * kube-as3 reads (slim-object.ts), so that what is kept, not the file, decides the memory used. A
 * file of valid YAML in which no document is written as a Kubernetes object (a Helm values.yaml or Chart.yaml, a config file) gets one warning and is
 * skipped; a file that holds Kubernetes objects reports each document that is not one as an error.
 */
export function parseDocuments(text: string, source: string, keep: Keep = slimObject): ParsedDocuments {
  const out: ParsedDocuments = { objects: [], diagnostics: [] };
  const parsed = parseText(withoutBom(text), source);
  if (!parsed.ok)
    return { objects: [], diagnostics: [diagnostic(fileRef(source), 'error', `${parsed.message}; nothing in this file was used`)] };
  const values = parsed.values;
  if (!values.some(looksLikeKubernetes) && values.some((v) => v !== null && v !== undefined)) {
    // A Helm values.yaml or a config file in the folder: said once, and it does not count as broken input.
    return {
      objects: [],
      diagnostics: [
        diagnostic(fileRef(source), 'warning', 'holds no Kubernetes object (no document has kind or metadata); the file was skipped'),
      ],
    };
  }
  values.forEach((value, i) => flatten(value, source, `document ${i + 1}`, out, keep));
  return out;
}

/**
 * A document written as a Kubernetes object, even a broken one: it has kind or metadata. (Only
 * apiVersion is not enough: a Helm Chart.yaml has one.)
 */
function looksLikeKubernetes(value: unknown): boolean {
  return isRecord(value) && (value['kind'] !== undefined || value['metadata'] !== undefined);
}
