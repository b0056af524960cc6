/**
 * The IPAM state file of `plan/diff/apply --ipam-state FILE`: the same allocations across runs, and
 * the same compare-and-swap contract as the in-cluster store, with the SHA-256 of the file's bytes as
 * the version. Writes go to a temporary file in the same directory and are renamed over the state
 * file, so a crash or a concurrent reader never sees half a file.
 *
 * The version check and the rename are two steps: a writer that slips in between them is not
 * detected. That window is microseconds wide and only two simultaneous CLI runs on one file can
 * hit it; the in-cluster store has a true server-side compare-and-swap.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseIpamState } from '../ipam/store.js';
import type { IpamSaveResult, IpamStore, VersionedIpamState } from '../ipam/store.js';
import type { IpamState } from '../ipam/allocator.js';

function sha256(bytes: string): string {
  return createHash('sha256').update(bytes, 'utf8').digest('hex');
}

/** Deterministic bytes: keys sorted at every level, two-space indent, trailing newline. */
export function serializeIpamState(state: IpamState): string {
  const sortKeys = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  };
  return `${JSON.stringify(sortKeys({ allocations: state.allocations, releasing: state.releasing }), null, 2)}\n`;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

export class FileIpamStore implements IpamStore {
  constructor(private readonly path: string) {}

  /** The file's text, or undefined when it does not exist yet. */
  private async read(): Promise<string | undefined> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw new Error(`IPAM state file ${this.path}: ${(err as Error).message}`);
    }
  }

  /** Missing file → empty state, version undefined; invalid JSON or shape → an Error naming the file. */
  async load(): Promise<VersionedIpamState> {
    const text = await this.read();
    if (text === undefined) return { state: { allocations: {}, releasing: {} }, version: undefined };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new Error(`IPAM state file ${this.path} is not valid JSON: ${(err as Error).message}`);
    }
    const state = parseIpamState(json);
    if (typeof state === 'string') throw new Error(`IPAM state file ${this.path}: ${state}`);
    return { state, version: sha256(text) };
  }

  /** Writes only if the file still has the `expected` version (undefined: still absent). */
  async save(state: IpamState, expected: string | undefined): Promise<IpamSaveResult> {
    const current = await this.read();
    if ((current === undefined ? undefined : sha256(current)) !== expected) return { ok: false, conflict: true };
    const bytes = serializeIpamState(state);
    const temporary = join(dirname(this.path), `${basename(this.path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temporary, bytes, { encoding: 'utf8', flag: 'wx' });
      await rename(temporary, this.path);
    } catch (err) {
      await rm(temporary, { force: true });
      throw new Error(`IPAM state file ${this.path}: cannot write: ${(err as Error).message}`);
    }
    return { ok: true, version: sha256(bytes) };
  }
}
