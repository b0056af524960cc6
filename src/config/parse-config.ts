import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { parseRanges } from '../ipam/ranges.js';
import { parseLabelSelector } from '../kube/label-selector.js';
import type { Config } from './config.js';
import { configSchema } from './config-schema.js';

export type ConfigResult = { config: Config; errors?: undefined } | { config?: undefined; errors: string[] };

let validator: ValidateFunction | undefined;

function compiled(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, useDefaults: true, strict: true }).compile(configSchema);
  return validator;
}

function describeError(e: ErrorObject): string {
  const where = e.instancePath === '' ? '(top level)' : e.instancePath;
  if (e.keyword === 'additionalProperties') {
    return `${where}: unknown key "${String(e.params['additionalProperty'])}"`;
  }
  if (e.keyword === 'enum') {
    return `${where}: must be one of ${(e.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (e.keyword === 'not' && e.instancePath.endsWith('/partition')) {
    return `${where}: the Common partition is reserved for the BIG-IP system and cannot be managed`;
  }
  return `${where}: ${e.message ?? 'is invalid'}`;
}

function semanticErrors(config: Config): string[] {
  const errors: string[] = [];
  const selectors: Array<[string, string | undefined]> = [
    ['/nodeLabelSelector', config.nodeLabelSelector],
    ['/customResourceLabel', config.customResourceLabel],
    ['/namespaceLabel', config.namespaceLabel],
  ];
  for (const [path, source] of selectors) {
    if (source === undefined) continue;
    const parsed = parseLabelSelector(source);
    if ('error' in parsed) errors.push(`${path}: ${parsed.error}`);
  }
  if (config.namespaceLabel !== undefined && config.namespaces.length > 0) {
    errors.push('/namespaceLabel: cannot be combined with /namespaces; choose one way to select namespaces');
  }
  errors.push(...clusterSetErrors(config.multiCluster));
  return errors;
}

/** The cluster set comes from `clusters` or from a CIS extended ConfigMap: exactly one of them. */
function clusterSetErrors(multiCluster: Config['multiCluster']): string[] {
  if (!multiCluster) return [];
  const errors: string[] = [];
  const clusters = multiCluster.clusters;
  if (multiCluster.extendedSpecConfigMap !== undefined && clusters.length > 0) {
    errors.push('/multiCluster: set clusters or extendedSpecConfigMap, not both');
  } else if (multiCluster.extendedSpecConfigMap === undefined && clusters.length === 0) {
    errors.push('/multiCluster: list the clusters (clusters) or name a CIS extended ConfigMap (extendedSpecConfigMap)');
  }
  const seen = new Set<string>();
  clusters.forEach((c, i) => {
    if (seen.has(c.name)) errors.push(`/multiCluster/clusters/${i}/name: cluster "${c.name}" is listed twice`);
    seen.add(c.name);
    if (c.kubeconfigFile !== undefined && c.kubeconfigSecret !== undefined) {
      errors.push(`/multiCluster/clusters/${i}: set kubeconfigFile or kubeconfigSecret, not both`);
    }
  });
  const primaries = clusters.flatMap((c, i) => (c.primary ? [i] : []));
  for (const i of primaries.slice(1)) {
    errors.push(`/multiCluster/clusters/${i}/primary: only one cluster can be primary ("${clusters[primaries[0] ?? 0]?.name ?? ''}" already is)`);
  }
  const local = multiCluster.localClusterName;
  if (local !== undefined && clusters.length > 0 && !seen.has(local)) {
    errors.push(`/multiCluster/localClusterName: "${local}" is not one of the configured clusters`);
  }
  return errors;
}

function ipamErrors(config: Config): string[] {
  const errors: string[] = [];
  // `ipam.ranges.<label>[i]: message` as a pointer like the schema errors: `/ipam/ranges/<label>/<i>: message`.
  for (const e of parseRanges(config.ipam.ranges).errors) {
    errors.push(e.replace(/^ipam\.ranges\.(.+?)(?:\[(\d+)\])?: /, (_m, label: string, i?: string) => `/ipam/ranges/${label}${i === undefined ? '' : `/${i}`}: `));
  }
  return errors;
}

/** Validates a parsed config document and fills in defaults. */
export function validateConfig(document: unknown): ConfigResult {
  const data = structuredClone(document ?? {});
  const validate = compiled();
  if (!validate(data)) {
    return { errors: (validate.errors ?? []).map(describeError) };
  }
  const config = data as Config;
  const errors = [...semanticErrors(config), ...ipamErrors(config)];
  return errors.length > 0 ? { errors } : { config };
}

/** Parses and validates config file text (YAML or JSON). */
export function parseConfig(text: string): ConfigResult {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    return { errors: [`(file): not valid YAML: ${(err as Error).message.split('\n')[0]}`] };
  }
  if (document !== null && document !== undefined && (typeof document !== 'object' || Array.isArray(document))) {
    return { errors: ['(top level): must be a mapping of keys to values'] };
  }
  return validateConfig(document);
}

/** The configuration used when no file is given. */
export function defaultConfig(): Config {
  const result = validateConfig({});
  if (!result.config) throw new Error(`built-in defaults are invalid: ${result.errors.join('; ')}`);
  return result.config;
}
