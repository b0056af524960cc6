/**
 * The offline cluster inputs of `plan`, `diff` and `apply` (docs/cli.md): `-f PATH` for a single (the
 * local) cluster, `--cluster NAME=PATH` (repeatable) for each cluster of a set. The cluster set is
 * the config file's `multiCluster` (its clusters, or those of the CIS extended ConfigMap it names,
 * read from the local cluster's inputs); `--cluster` without one gives an active-active set in
 * command-line order. A cluster whose inputs cannot be read is unreadable, not empty: the plan
 * says so and diff/apply keep what the BIG-IP has from it (carry-over.ts).
 */
import { crdSchemasFor } from '../adapters/crd-schemas.js';
import { STDIN_PATH, loadInputs } from '../adapters/input-files.js';
import type { LoadedInputs, MissingInput, StdinReader } from '../adapters/input-files.js';
import type { Config, MultiClusterConfig } from '../config/config.js';
import { importExtendedSpec } from '../config/extended-spec.js';
import { ClusterSet } from '../inventory/cluster-set.js';
import type { ClusterState } from '../inventory/cluster-state.js';
import { populateCluster } from '../inventory/populate.js';
import type { KubeObject } from '../kube/types.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import { diagnostic } from '../kube/diagnostic.js';
import type { CliIo } from './io.js';

export interface ClusterInputOptions {
  filename?: string[];
  cluster?: string[];
  config?: string;
}

export interface ClusterInputs {
  /** The config with the cluster set filled in (imported from an extended ConfigMap, or from `--cluster`). */
  config: Config;
  input: ClusterState | ClusterSet;
  /** Problems of the input files and objects (per cluster when there are several), in load order. */
  problems: Diagnostic[];
  /** Clusters that could not be read. */
  unreadable: string[];
}

const CLUSTER_ARG = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)=(.+)$/;

/** `--cluster NAME=PATH` values by cluster name, in first-seen order; undefined after a usage error. */
function clusterPaths(values: string[], io: CliIo): Map<string, string[]> | undefined {
  const paths = new Map<string, string[]>();
  for (const value of values) {
    const match = CLUSTER_ARG.exec(value);
    if (!match) {
      io.stderr(`error: --cluster ${value}: expected NAME=PATH (NAME: lower-case letters, digits and -)\n`);
      return undefined;
    }
    const [, name = '', , path = ''] = match;
    paths.set(name, [...(paths.get(name) ?? []), path]);
  }
  return paths;
}

/**
 * The cluster set when `--cluster` is used without one configured: every named cluster, alike,
 * in command-line order; `-f` paths are a cluster of their own, `local`, listed first.
 */
function implicitSet(names: string[], withLocal: boolean): MultiClusterConfig {
  const all = withLocal ? [IMPLICIT_LOCAL, ...names.filter((n) => n !== IMPLICIT_LOCAL)] : names;
  return {
    mode: 'active-active',
    ...(withLocal ? { localClusterName: IMPLICIT_LOCAL } : {}),
    clusters: all.map((name) => ({ name, ratio: 1, adminState: 'enable', primary: false })),
  };
}

const IMPLICIT_LOCAL = 'local';

/** A file or directory that could not be read at all (not one whose content is bad). */
function unreadableFiles(loaded: LoadedInputs): Diagnostic[] {
  return loaded.diagnostics.filter((d) => d.ref.kind === 'File' && d.message.startsWith('cannot read'));
}

function tagged(diagnostics: Diagnostic[], cluster: string | undefined): Diagnostic[] {
  return cluster === undefined ? diagnostics : diagnostics.map((d) => ({ ...d, ref: { ...d.ref, cluster } }));
}

function findConfigMap(objects: KubeObject[], ref: string): KubeObject | undefined {
  const [namespace, name] = ref.split('/');
  return objects.find((o) => o.kind === 'ConfigMap' && (o.metadata?.namespace ?? 'default') === namespace && o.metadata?.name === name);
}

/**
 * The cluster set of an extended ConfigMap found in the local cluster's inputs; undefined after
 * printing why it cannot be used (a fatal config problem, as in CIS).
 */
function importedSet(
  multiCluster: MultiClusterConfig,
  localObjects: KubeObject[],
  problems: Diagnostic[],
  io: CliIo,
): MultiClusterConfig | undefined {
  const ref = multiCluster.extendedSpecConfigMap as string;
  const configMap = findConfigMap(localObjects, ref);
  if (!configMap) {
    io.stderr(`error: multiCluster.extendedSpecConfigMap: ConfigMap ${ref} is not among the local cluster's inputs\n`);
    return undefined;
  }
  const imported = importExtendedSpec(configMap, multiCluster.localClusterName);
  const [namespace = '', name = ''] = ref.split('/');
  for (const w of imported.warnings) problems.push(diagnostic({ kind: 'ConfigMap', namespace, name }, 'warning', w));
  if (!imported.multiCluster) {
    io.stderr(
      `error: ConfigMap ${ref} (multiCluster.extendedSpecConfigMap) is invalid:\n${imported.errors.map((e) => `  ${e}`).join('\n')}\n`,
    );
    return undefined;
  }
  return imported.multiCluster;
}

interface Loaded {
  objects: KubeObject[];
  problems: Diagnostic[];
  unreadable?: string;
  missing: MissingInput[];
}

async function loadCluster(
  paths: string[],
  exclude: string[],
  cluster: string | undefined,
  stdin: StdinReader | undefined,
): Promise<Loaded> {
  const loaded = await loadInputs(paths, exclude, stdin);
  const broken = unreadableFiles(loaded);
  if (cluster !== undefined && broken.length > 0) {
    // Part of a cluster's inputs missing would look like deleted resources: the cluster is unreadable.
    return { objects: [], problems: [], unreadable: broken.map((d) => `${d.ref.name}: ${d.message}`).join('; '), missing: loaded.missing };
  }
  return { objects: loaded.objects, problems: tagged(loaded.diagnostics, cluster), missing: loaded.missing };
}

/**
 * A path that does not exist, or a folder without an input file, is a usage error (exit 1) in
 * every command: planning "nothing" from it would delete what it describes. (A path that exists
 * but cannot be read makes its cluster unreadable instead.) Prints each; false when there was one.
 */
function reportMissing(missing: Array<{ option: string; input: MissingInput }>, io: CliIo): boolean {
  for (const { option, input } of missing) {
    io.stderr(
      `error: ${option}${input.path}: ${input.reason}; nothing was planned, since without it what it describes would look deleted\n`,
    );
  }
  return missing.length === 0;
}

/** Standard input can be read once: one `-f -` or `--cluster NAME=-` at most. False after saying so. */
function stdinOnce(files: string[], byName: Map<string, string[]>, io: CliIo): boolean {
  const readers = [
    ...files.filter((f) => f === STDIN_PATH).map(() => '-f -'),
    ...[...byName].flatMap(([name, paths]) => paths.filter((p) => p === STDIN_PATH).map(() => `--cluster ${name}=-`)),
  ];
  if (readers.length <= 1) return true;
  io.stderr(`error: ${readers.join(', ')}: standard input can be read only once; give - to one of them and the others files\n`);
  return false;
}

/** Reads the inputs of every cluster; undefined after printing a usage or config error. */
export async function loadClusterInputs(options: ClusterInputOptions, baseConfig: Config, io: CliIo): Promise<ClusterInputs | undefined> {
  const byName = clusterPaths(options.cluster ?? [], io);
  if (!byName) return undefined;
  const files = options.filename ?? [];
  if (!stdinOnce(files, byName, io)) return undefined;
  if (files.length === 0 && byName.size === 0) {
    io.stderr('error: give the inputs with -f PATH (files or directories of Kubernetes objects), or --cluster NAME=PATH per cluster\n');
    return undefined;
  }
  const exclude = options.config ? [options.config] : [];
  const multiCluster = baseConfig.multiCluster ?? (byName.size > 0 ? implicitSet([...byName.keys()], files.length > 0) : undefined);
  if (multiCluster) return loadClusterSet({ multiCluster, byName, files, exclude }, baseConfig, io);
  const local = await loadCluster(files, exclude, undefined, io.stdin);
  if (
    !reportMissing(
      local.missing.map((input) => ({ option: '-f ', input })),
      io,
    )
  )
    return undefined;
  const { state, diagnostics } = populateCluster('local', local.objects, { crdSchemas: crdSchemasFor(local.objects) });
  return { config: baseConfig, input: state, problems: [...local.problems, ...diagnostics], unreadable: [] };
}

interface SetRequest {
  multiCluster: MultiClusterConfig;
  byName: Map<string, string[]>;
  /** `-f` paths: the local cluster's. */
  files: string[];
  exclude: string[];
}

async function loadClusterSet(request: SetRequest, baseConfig: Config, io: CliIo): Promise<ClusterInputs | undefined> {
  const { byName, files, exclude } = request;
  let multiCluster = request.multiCluster;
  const problems: Diagnostic[] = [];
  const localName = multiCluster.localClusterName ?? multiCluster.clusters[0]?.name ?? 'local';
  if (files.length > 0) byName.set(localName, [...files, ...(byName.get(localName) ?? [])]);
  const loaded = new Map<string, Loaded>();
  for (const [name, paths] of byName) loaded.set(name, await loadCluster(paths, exclude, name, io.stdin));
  const missing = [...loaded].flatMap(([name, entry]) =>
    entry.missing.map((input) => ({ option: name === localName && files.includes(input.path) ? '-f ' : `--cluster ${name}=`, input })),
  );
  if (!reportMissing(missing, io)) return undefined;
  if (multiCluster.extendedSpecConfigMap !== undefined) {
    const unreadable = loaded.get(localName)?.unreadable;
    if (unreadable !== undefined) {
      io.stderr(
        `error: multiCluster.extendedSpecConfigMap: the local cluster ${localName}, which holds ConfigMap ${multiCluster.extendedSpecConfigMap}, cannot be read (${unreadable})\n`,
      );
      return undefined;
    }
    const imported = importedSet(multiCluster, loaded.get(localName)?.objects ?? [], problems, io);
    if (!imported) return undefined;
    multiCluster = { ...imported, extendedSpecConfigMap: multiCluster.extendedSpecConfigMap };
  }
  const known = multiCluster.clusters.map((c) => c.name);
  const stray = [...byName.keys()].filter((n) => !known.includes(n));
  if (stray.length > 0) {
    io.stderr(`error: --cluster ${stray.join(', ')}: not in the cluster set (${known.join(', ')})\n`);
    return undefined;
  }
  const states = new Map<string, ClusterState>();
  const unreadable = new Map<string, string>();
  for (const name of known) {
    const entry = loaded.get(name);
    if (entry?.unreadable !== undefined) unreadable.set(name, entry.unreadable);
    if (!entry || entry.unreadable !== undefined) continue;
    const { state, diagnostics } = populateCluster(name, entry.objects, { crdSchemas: crdSchemasFor(entry.objects) });
    states.set(name, state);
    problems.push(...entry.problems, ...tagged(diagnostics, name));
  }
  const set = ClusterSet.fromConfig(multiCluster, states, unreadable);
  return {
    config: { ...baseConfig, multiCluster },
    input: set,
    problems,
    unreadable: set.clusters.filter((c) => c.unreadable !== undefined).map((c) => c.name),
  };
}
