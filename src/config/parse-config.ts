import type { ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { parseRanges } from '../ipam/ranges.js';
import { canonicalAddress } from '../lib/ip.js';
import { isRecord } from '../lib/is-record.js';
import { parseLabelSelector } from '../kube/label-selector.js';
import type { Config } from './config.js';
import { describeSchemaError } from './config-errors.js';
import { validate as generatedValidator } from './config-validator.generated.js';

/** `warnings`: keys that are valid but have no effect, each as `dotted.path: sentence`. */
export type ConfigResult =
  { config: Config; errors?: undefined; warnings: string[] } | { config?: undefined; errors: string[]; warnings?: undefined };

/** Keys kept so that older config files stay valid, and why they do nothing now. */
const NO_EFFECT: ReadonlyArray<[string, string, string]> = [
  ['as3', 'asyncThresholdMs', 'has no effect: every change is posted asynchronously and followed until AS3 has finished it; remove it'],
];

function noEffectWarnings(document: unknown): string[] {
  if (!isRecord(document)) return [];
  return NO_EFFECT.flatMap(([section, key, why]) => {
    const parent = document[section];
    return isRecord(parent) && parent[key] !== undefined ? [`${section}.${key}: ${why}`] : [];
  });
}

/**
 * The config schema (config-schema.ts) as Ajv compiles it, generated ahead of time
 * (config-validator-source.ts), so that no start of kube-as3 loads or runs Ajv's compiler.
 */
const validateSchema = generatedValidator as unknown as ValidateFunction;

/**
 * The checks the schema cannot make: selector syntax and rules across keys. They run on the
 * document even when the schema found errors (every error is listed at once), so each reads its
 * keys defensively.
 */
function semanticErrors(data: Record<string, unknown>): string[] {
  const errors: string[] = [];
  for (const key of ['nodeLabelSelector', 'customResourceLabel', 'namespaceLabel']) {
    const source = data[key];
    if (typeof source !== 'string') continue;
    const parsed = parseLabelSelector(source);
    if ('error' in parsed) errors.push(`${key}: ${parsed.error}`);
  }
  if (data['namespaceLabel'] !== undefined && Array.isArray(data['namespaces']) && data['namespaces'].length > 0) {
    errors.push('namespaceLabel: cannot be combined with namespaces; choose one way to select namespaces');
  }
  if (isRecord(data['multiCluster'])) errors.push(...clusterSetErrors(data['multiCluster']));
  const ipam = data['ipam'];
  if (isRecord(ipam) && isRecord(ipam['ranges'])) errors.push(...parseRanges(ipam['ranges'] as Record<string, string[]>).errors);
  errors.push(...defaultIngressErrors(data, isRecord(ipam) && isRecord(ipam['ranges']) ? Object.keys(ipam['ranges']) : []));
  return errors;
}

/** `defaultIngressAddress` is an address; `defaultIngressIpamLabel` a configured label; not both. */
function defaultIngressErrors(data: Record<string, unknown>, labels: string[]): string[] {
  const errors: string[] = [];
  const address = data['defaultIngressAddress'];
  const label = data['defaultIngressIpamLabel'];
  if (typeof address === 'string' && address !== '' && canonicalAddress(address) === undefined) {
    errors.push(`defaultIngressAddress: "${address}" is not an IPv4 or IPv6 address`);
  }
  if (typeof label === 'string' && label !== '' && !labels.includes(label)) {
    errors.push(
      `defaultIngressIpamLabel: "${label}" is not a label of ipam.ranges${labels.length === 0 ? ' (no ranges are configured)' : ` (${labels.join(', ')})`}`,
    );
  }
  if (address !== undefined && label !== undefined) {
    errors.push(
      'defaultIngressIpamLabel: cannot be combined with defaultIngressAddress; choose one address for all such Ingresses, or one per Ingress from IPAM',
    );
  }
  return errors;
}

/** The cluster set comes from `clusters` or from a CIS extended ConfigMap: exactly one of them. */
function clusterSetErrors(multiCluster: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const clusters = Array.isArray(multiCluster['clusters']) ? multiCluster['clusters'].filter(isRecord) : [];
  const fromConfigMap = multiCluster['extendedSpecConfigMap'] !== undefined;
  if (fromConfigMap && clusters.length > 0) {
    errors.push('multiCluster: set clusters or extendedSpecConfigMap, not both');
  } else if (!fromConfigMap && clusters.length === 0) {
    errors.push('multiCluster: list the clusters (clusters) or name a CIS extended ConfigMap (extendedSpecConfigMap)');
  }
  const seen = new Set<unknown>();
  clusters.forEach((c, i) => {
    if (seen.has(c['name'])) errors.push(`multiCluster.clusters[${i}].name: cluster "${String(c['name'])}" is listed twice`);
    seen.add(c['name']);
    if (c['kubeconfigFile'] !== undefined && c['kubeconfigSecret'] !== undefined) {
      errors.push(`multiCluster.clusters[${i}]: set kubeconfigFile or kubeconfigSecret, not both`);
    }
  });
  const primaries = clusters.flatMap((c, i) => (c['primary'] === true ? [i] : []));
  for (const i of primaries.slice(1)) {
    errors.push(
      `multiCluster.clusters[${i}].primary: only one cluster can be primary ("${String(clusters[primaries[0] ?? 0]?.['name'] ?? '')}" already is)`,
    );
  }
  const local = multiCluster['localClusterName'];
  if (typeof local === 'string' && clusters.length > 0 && !seen.has(local)) {
    errors.push(`multiCluster.localClusterName: "${local}" is not one of the configured clusters`);
  }
  return errors;
}

/** The dotted path an error line starts with. */
function pathOf(line: string): string {
  return line.slice(0, line.indexOf(': '));
}

/** Whether `path` is `under` itself or inside it (`a.b[0]` is inside `a.b` and `a`). */
function isWithin(path: string, under: string): boolean {
  return path === under || path.startsWith(`${under}.`) || path.startsWith(`${under}[`);
}

/**
 * Validates a parsed config document and fills in defaults. Every error is listed at once, each
 * as `dotted.path: sentence`; a later check adds nothing where the schema already found an error.
 */
export function validateConfig(document: unknown): ConfigResult {
  const data = structuredClone(document ?? {}) as Record<string, unknown>;
  const valid = validateSchema(data);
  const schemaErrors = valid ? [] : (validateSchema.errors ?? []).map((e) => describeSchemaError(e, data));
  const flagged = schemaErrors.map(pathOf).filter((p) => p !== '(top level)');
  const later = semanticErrors(data).filter((line) => !flagged.some((p) => isWithin(pathOf(line), p)));
  const errors = [...schemaErrors, ...later];
  return errors.length > 0 ? { errors } : { config: data as unknown as Config, warnings: noEffectWarnings(document) };
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
