/**
 * `kube-as3 run --manifests DIR` (docs/cli.md): a folder of Kubernetes objects is the cluster. The
 * folder is read into one ClusterState and read again whenever a file in it changes; objects that
 * changed are updated, objects gone are removed, so the planner sees the same incremental changes
 * a watch would give. While any file cannot be read or parsed (an editor saving half a file), or
 * the folder holds no input file at all, the state is left as it was: a broken file or an emptied
 * folder must not look like deleted resources. Problems that do not stop the read (a file that
 * holds no Kubernetes object, an object skipped for its kind or apiVersion, an unknown field) are
 * logged once when they appear.
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { crdSchemasFor } from '../adapters/crd-schemas.js';
import { loadInputs } from '../adapters/input-files.js';
import { ClusterState } from '../inventory/cluster-state.js';
import { populateCluster } from '../inventory/populate.js';
import { KNOWN_KINDS } from '../kube/types.js';
import { jsonEqual } from '../lib/json-equal.js';
import { formatDiagnostic } from '../kube/diagnostic.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import type { Log } from './reconciler.js';

export interface ManifestSourceOptions {
  dir: string;
  /** Files not to read as objects (the config file, when it sits in the folder). */
  exclude?: string[];
  log: Log;
  onChange: () => void;
  /** Quiet time after the last file event before reading (editors write in bursts). */
  settleMs?: number;
}

export class ManifestSource {
  readonly state = new ClusterState('local');
  private watcher: FSWatcher | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reading: Promise<void> = Promise.resolve();
  /** The input warnings of the last read, logged once when they appear and once when they are gone. */
  private reported = new Set<string>();

  constructor(private readonly options: ManifestSourceOptions) {}

  /** Reads the folder, then follows it; false (and nothing followed) when a file is broken at start. */
  async start(): Promise<boolean> {
    if (!(await this.sync())) return false;
    this.watcher = watch(this.options.dir, { recursive: true }, () => this.soon());
    this.watcher.on('error', (err) => this.options.log.warn({ dir: this.options.dir }, `watching the manifests: ${err.message}`));
    return true;
  }

  stop(): void {
    this.watcher?.close();
    if (this.timer) clearTimeout(this.timer);
  }

  private soon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.reading = this.reading
        .then(() => this.sync())
        .then(
          () => this.options.onChange(),
          (err: unknown) => {
            this.options.log.error({ dir: this.options.dir }, `reading the manifests: ${(err as Error).message}`);
          },
        );
    }, this.options.settleMs ?? 200);
  }

  /** Brings the state to the folder's objects; false (state untouched) when a file is broken or the folder holds no input file. */
  async sync(): Promise<boolean> {
    const loaded = await loadInputs([this.options.dir], this.options.exclude ?? []);
    const broken = loaded.diagnostics.filter((d) => d.ref.kind === 'File' && d.severity === 'error');
    if (broken.length > 0) {
      for (const d of broken)
        this.options.log.error({ file: d.ref.name }, `${formatDiagnostic(d)}; the manifests are not read again until it is fixed`);
      return false;
    }
    for (const m of loaded.missing) {
      // A folder emptied (or gone) would look like every resource deleted.
      this.options.log.error({ dir: m.path }, `${m.path} ${m.reason}; the manifests are not read again until it holds them`);
    }
    if (loaded.missing.length > 0) return false;
    const populated = populateCluster('local', loaded.objects, { crdSchemas: crdSchemasFor(loaded.objects) });
    this.logProblems([...loaded.diagnostics, ...populated.diagnostics]);
    const next = populated.state;
    for (const kind of KNOWN_KINDS) {
      for (const [key, { obj }] of next.entriesOf(kind)) {
        const [namespace, name] = splitKey(key);
        const known = this.state.get(kind, namespace, name);
        if (!known || !jsonEqual(known, obj)) this.state.upsert(obj, kind);
      }
      for (const [key] of [...this.state.entriesOf(kind)]) {
        const [namespace, name] = splitKey(key);
        if (!next.get(kind, namespace, name)) this.state.remove(kind, namespace, name);
      }
    }
    return true;
  }

  /** Logs each input problem once when it appears, and says when it is gone (as the reconciler does for the plan's). */
  private logProblems(problems: Diagnostic[]): void {
    const now = new Set<string>();
    for (const d of problems) {
      const line = formatDiagnostic(d);
      now.add(line);
      if (this.reported.has(line)) continue;
      const fields = { resource: d.ref, ...(d.field ? { field: d.field } : {}) };
      if (d.severity === 'error') this.options.log.error(fields, line);
      else this.options.log.warn(fields, line);
    }
    for (const line of this.reported) if (!now.has(line)) this.options.log.info({}, `resolved: ${line}`);
    this.reported = now;
  }
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return slash < 0 ? ['', key] : [key.slice(0, slash), key.slice(slash + 1)];
}
