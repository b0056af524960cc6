/**
 * Imports the cluster set of a CIS "extended spec" ConfigMap (`--extended-spec-configmap`) so a
 * CIS multi-cluster setup moves to kube-as3 without rewriting it. CIS unmarshals the YAML under
 * `data.extendedSpec` strictly, so unknown keys and wrong types are errors here too: a ConfigMap
 * kube-as3 accepts is one CIS would have accepted. Keys kube-as3 has no use for are accepted and
 * reported as warnings, so the user knows which CIS behaviour does not carry over.
 */
import { closestName } from '../lib/closest-name.js';
import { parse as parseYaml } from 'yaml';
import { isRecord as isMapping } from '../lib/is-record.js';
import type { KubeObject } from '../kube/types.js';
import type { AdminState, ClusterConfig, MultiClusterConfig, MultiClusterMode } from './config.js';

export interface ExtendedSpecImport {
  multiCluster?: MultiClusterConfig;
  errors: string[];
  warnings: string[];
}

type Mapping = Record<string, unknown>;
interface Issues {
  errors: string[];
  warnings: string[];
}

/** A cluster as the ConfigMap describes it; `path` locates it for messages. */
interface ClusterEntry {
  path: string;
  name: string;
  secret?: string;
  ratio: number;
  adminState: AdminState;
}

const SPEC = 'data.extendedSpec';
const MODES: readonly MultiClusterMode[] = ['default', 'active-active', 'active-standby', 'ratio'];
const ADMIN_STATES: readonly AdminState[] = ['enable', 'disable', 'offline', 'no-pool'];
const SPEC_KEYS = [
  'mode',
  'externalClustersConfig',
  'localClusterRatio',
  'localClusterAdminState',
  'highAvailabilityCIS',
  'extendedRouteSpec',
  'baseRouteSpec',
];
const HA_KEYS = ['primaryEndPoint', 'probeInterval', 'retryInterval', 'primaryCluster', 'secondaryCluster'];
const CLUSTER_KEYS = ['clusterName', 'secret', 'ratio', 'adminState', 'serviceTypeLBDiscovery'];
const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SECRET_REF = /^[a-z0-9][-a-z0-9.]*\/[a-z0-9][-a-z0-9.]*$/;
/** The name given to the only cluster when neither kube-as3's config nor the ConfigMap names it. */
const FALLBACK_LOCAL_NAME = 'local';

/** The mapping at `path` with only `keys` allowed; undefined (and an error) when it is not one. */
function mappingAt(value: unknown, path: string, keys: readonly string[], issues: Issues): Mapping | undefined {
  if (!isMapping(value)) {
    issues.errors.push(`${path}: must be a mapping of keys to values`);
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (keys.includes(key)) continue;
    const suggestion = closestName(key, keys);
    issues.errors.push(`${path}.${key}: unknown field${suggestion === undefined ? '' : `; did you mean ${suggestion}?`}`);
  }
  return value;
}

function ratioAt(value: unknown, path: string, issues: Issues): number {
  if (value === undefined) return 1;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 100) return value;
  issues.errors.push(`${path}: must be an integer from 0 to 100`);
  return 1;
}

function adminStateAt(value: unknown, path: string, issues: Issues): AdminState {
  if (value === undefined) return 'enable';
  if ((ADMIN_STATES as readonly unknown[]).includes(value)) return value as AdminState;
  issues.errors.push(`${path}: must be one of ${ADMIN_STATES.map((s) => `"${s}"`).join(', ')}`);
  return 'enable';
}

/** Checks the type of a key kube-as3 ignores (CIS would reject a wrong type) and warns that it is ignored. */
function ignoredAt(value: unknown, path: string, type: 'string' | 'integer' | 'boolean', why: string, issues: Issues): void {
  if (value === undefined) return;
  const ok = type === 'integer' ? Number.isInteger(value) : typeof value === type;
  if (!ok) issues.errors.push(`${path}: must be ${type === 'integer' ? 'an' : 'a'} ${type}`);
  else issues.warnings.push(`${path}: ignored: ${why}; nothing to change (the ConfigMap may keep it for CIS)`);
}

function readCluster(value: unknown, path: string, issues: Issues): ClusterEntry | undefined {
  const m = mappingAt(value, path, CLUSTER_KEYS, issues);
  if (!m) return undefined;
  const before = issues.errors.length;
  const name = m['clusterName'];
  if (name === undefined) issues.errors.push(`${path}.clusterName: is required`);
  else if (typeof name !== 'string' || !CLUSTER_NAME.test(name)) {
    issues.errors.push(`${path}.clusterName: must be a DNS label (lower-case letters, digits and "-", at most 63 characters)`);
  }
  const secret = m['secret'];
  if (secret !== undefined && (typeof secret !== 'string' || !SECRET_REF.test(secret))) {
    issues.errors.push(`${path}.secret: must name a Secret as "namespace/name"`);
  }
  const ratio = ratioAt(m['ratio'], `${path}.ratio`, issues);
  const adminState = adminStateAt(m['adminState'], `${path}.adminState`, issues);
  ignoredAt(
    m['serviceTypeLBDiscovery'],
    `${path}.serviceTypeLBDiscovery`,
    'boolean',
    'kube-as3 reads LoadBalancer Services from every cluster',
    issues,
  );
  if (issues.errors.length > before) return undefined;
  return { path, name: name as string, ratio, adminState, ...(secret === undefined ? {} : { secret: secret as string }) };
}

/** kube-as3 reaches a remote cluster only through its kubeconfig Secret, so remote clusters need one. */
function requireSecret(entry: ClusterEntry, issues: Issues): void {
  if (entry.secret === undefined)
    issues.errors.push(`${entry.path}.secret: is required: the kubeconfig Secret ("namespace/name") kube-as3 reads this cluster through`);
}

function toCluster(entry: ClusterEntry, primary: boolean, withSecret: boolean): ClusterConfig {
  const cluster: ClusterConfig = { name: entry.name, ratio: entry.ratio, adminState: entry.adminState, primary };
  if (withSecret && entry.secret !== undefined) cluster.kubeconfigSecret = entry.secret;
  return cluster;
}

function readMode(value: unknown, issues: Issues): MultiClusterMode {
  if (value === undefined) return 'default';
  if ((MODES as readonly unknown[]).includes(value)) return value as MultiClusterMode;
  issues.errors.push(`${SPEC}.mode: must be one of ${MODES.map((m) => `"${m}"`).join(', ')}`);
  return 'default';
}

/** OpenShift route groups configure Routes, which kube-as3 does not read. */
function warnRouteKeys(spec: Mapping, issues: Issues): void {
  const shapes: Array<[string, boolean, string]> = [
    ['extendedRouteSpec', Array.isArray(spec['extendedRouteSpec']), 'a list'],
    ['baseRouteSpec', isMapping(spec['baseRouteSpec']), 'a mapping of keys to values'],
  ];
  for (const [key, ok, shape] of shapes) {
    if (spec[key] === undefined) continue;
    if (ok)
      issues.warnings.push(
        `${SPEC}.${key}: ignored: kube-as3 does not read OpenShift Routes; nothing to change (the ConfigMap may keep it for CIS)`,
      );
    else issues.errors.push(`${SPEC}.${key}: must be ${shape}`);
  }
}

function haMember(ha: Mapping, key: string, issues: Issues): ClusterEntry | undefined {
  const path = `${SPEC}.highAvailabilityCIS.${key}`;
  if (ha[key] !== undefined) return readCluster(ha[key], path, issues);
  issues.errors.push(`${path}: is required`);
  return undefined;
}

/**
 * The HA pair: the primary comes first and is the primary cluster. The secondary is kept in every
 * mode; in `active-standby` CIS leaves the HA peer's members out, kube-as3 instead keeps them
 * below the primary's (the secondary is not primary). The local cluster is read through
 * kube-as3's own kubeconfig, so its Secret (meant for the peer's CIS) is not used.
 */
function haClusters(value: unknown, spec: Mapping, localName: string | undefined, issues: Issues): ClusterConfig[] | undefined {
  const path = `${SPEC}.highAvailabilityCIS`;
  const ha = mappingAt(value, path, HA_KEYS, issues);
  if (!ha) return undefined;
  const why = 'kube-as3 runs replicas with leader election, not a CIS primary/secondary pair; the leader posts one declaration';
  ignoredAt(ha['primaryEndPoint'], `${path}.primaryEndPoint`, 'string', why, issues);
  ignoredAt(ha['probeInterval'], `${path}.probeInterval`, 'integer', why, issues);
  ignoredAt(ha['retryInterval'], `${path}.retryInterval`, 'integer', why, issues);
  for (const key of ['localClusterRatio', 'localClusterAdminState']) {
    if (spec[key] !== undefined)
      issues.warnings.push(
        `${SPEC}.${key}: ignored: with highAvailabilityCIS the local cluster's ratio and adminState come from its primaryCluster or secondaryCluster entry (as in CIS); set them there`,
      );
  }
  const primary = haMember(ha, 'primaryCluster', issues);
  const secondary = haMember(ha, 'secondaryCluster', issues);
  if (!primary || !secondary) return undefined;
  if (secondary.name === primary.name) {
    issues.errors.push(`${secondary.path}.clusterName: "${secondary.name}" is the primaryCluster's name too`);
    return undefined;
  }
  if (localName !== primary.name && localName !== secondary.name) {
    issues.errors.push(
      `${path}: the local cluster's name (kube-as3 config multiCluster.localClusterName, ${localName === undefined ? 'not set' : `"${localName}"`}) must be the primaryCluster's ("${primary.name}") or the secondaryCluster's ("${secondary.name}")`,
    );
    return undefined;
  }
  const peer = localName === primary.name ? secondary : primary;
  requireSecret(peer, issues);
  return [toCluster(primary, true, primary === peer), toCluster(secondary, false, secondary === peer)];
}

/** Without an HA pair the local cluster comes first, with the `localCluster*` keys. */
function standaloneLocal(spec: Mapping, localName: string | undefined, externals: number, issues: Issues): ClusterConfig | undefined {
  const ratio = ratioAt(spec['localClusterRatio'], `${SPEC}.localClusterRatio`, issues);
  const adminState = adminStateAt(spec['localClusterAdminState'], `${SPEC}.localClusterAdminState`, issues);
  if (localName !== undefined) return { name: localName, ratio, adminState, primary: false };
  if (externals > 0) {
    issues.errors.push(
      `${SPEC}.externalClustersConfig: localClusterName is needed (kube-as3 config multiCluster.localClusterName) to tell the local cluster from the external ones`,
    );
    return undefined;
  }
  issues.warnings.push(`${SPEC}: the local cluster is named "${FALLBACK_LOCAL_NAME}" (set multiCluster.localClusterName to name it)`);
  return { name: FALLBACK_LOCAL_NAME, ratio, adminState, primary: false };
}

/** External clusters, whose names may repeat neither each other nor the local or HA clusters' (as in CIS). */
function readExternals(value: unknown, issues: Issues): ClusterEntry[] {
  const path = `${SPEC}.externalClustersConfig`;
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    issues.errors.push(`${path}: must be a list`);
    return [];
  }
  const entries = value.map((item, i) => readCluster(item, `${path}[${i}]`, issues));
  const defined = entries.filter((e) => e !== undefined);
  defined.forEach((e) => requireSecret(e, issues));
  return defined;
}

/** `taken`: the local or HA clusters, which come before the externals. */
function checkExternalNames(externals: ClusterEntry[], taken: ClusterConfig[], issues: Issues): void {
  const roles = taken.length === 1 ? ['the local cluster'] : ['the HA primaryCluster', 'the HA secondaryCluster'];
  const seen = new Set<string>();
  for (const e of externals) {
    const clash = taken.findIndex((c) => c.name === e.name);
    if (clash >= 0) {
      issues.errors.push(`${e.path}.clusterName: "${e.name}" is ${roles[clash] ?? 'taken'}; an external cluster needs a name of its own`);
    } else if (seen.has(e.name)) {
      issues.errors.push(`${e.path}.clusterName: cluster "${e.name}" is listed twice`);
    }
    seen.add(e.name);
  }
}

function readSpec(spec: Mapping, localName: string | undefined, issues: Issues): MultiClusterConfig {
  const mode = readMode(spec['mode'], issues);
  warnRouteKeys(spec, issues);
  const externals = readExternals(spec['externalClustersConfig'], issues);
  const first =
    spec['highAvailabilityCIS'] !== undefined
      ? haClusters(spec['highAvailabilityCIS'], spec, localName, issues)
      : [standaloneLocal(spec, localName, externals.length, issues)].filter((c) => c !== undefined);
  checkExternalNames(externals, first ?? [], issues);
  const clusters = [...(first ?? []), ...externals.map((e) => toCluster(e, false, true))];
  return { mode, localClusterName: localName ?? clusters[0]?.name, clusters };
}

/** The YAML under `data.extendedSpec` as a mapping (an empty value is an empty spec). */
function specDocument(configMap: KubeObject, issues: Issues): Mapping | undefined {
  if (configMap.kind !== undefined && configMap.kind !== 'ConfigMap')
    issues.errors.push(`kind: must be ConfigMap, not "${String(configMap.kind)}"`);
  if (configMap.metadata?.labels?.['f5nr'] !== 'true') {
    issues.warnings.push('metadata.labels.f5nr: not "true": CIS would not read this ConfigMap (kube-as3 reads it by name)');
  }
  const data = (configMap as { data?: unknown }).data;
  const text = isMapping(data) ? data['extendedSpec'] : undefined;
  if (typeof text !== 'string') {
    issues.errors.push(`${SPEC}: is required: the CIS extended spec (YAML) under key "extendedSpec"`);
    return undefined;
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    issues.errors.push(`${SPEC}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  }
  return mappingAt(document ?? {}, SPEC, SPEC_KEYS, issues);
}

/**
 * Reads the cluster set from a CIS extended ConfigMap.
 * @param configMap the ConfigMap object as parsed from YAML/JSON
 * @param localClusterName the cluster the ConfigMap was read from (kube-as3 config
 *   `multiCluster.localClusterName`), if known
 * @returns the clusters in precedence order, or errors (then no `multiCluster`); warnings either way
 */
export function importExtendedSpec(configMap: KubeObject, localClusterName: string | undefined): ExtendedSpecImport {
  const issues: Issues = { errors: [], warnings: [] };
  const spec = specDocument(configMap, issues);
  const multiCluster = spec ? readSpec(spec, localClusterName, issues) : undefined;
  if (issues.errors.length > 0) return { errors: issues.errors, warnings: issues.warnings };
  return { multiCluster, errors: [], warnings: issues.warnings };
}
