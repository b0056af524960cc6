/**
 * IPAM persistence behind compare-and-swap. Two replicas (or two `apply` runs) may allocate at the
 * same time; each one reads the state with its version, allocates, and writes only if nobody wrote
 * in between. The loser re-reads and allocates again on the winner's state, so an address can never
 * be handed out twice: there is no lock to forget and no lock to leak.
 */
import { allocate, commitReleases } from './allocator.js';
import type { Allocation, IpamRequest, IpamResult, IpamState } from './allocator.js';
import { addressValue, formatAddress } from './ranges.js';
import type { AddressRange } from './ranges.js';
import { isRecord } from '../lib/is-record.js';

export interface VersionedIpamState {
  state: IpamState;
  /** opaque version (file hash, resourceVersion); undefined = nothing stored yet */
  version: string | undefined;
}

export type IpamSaveResult = { ok: true; version: string } | { ok: false; conflict: true };

export interface IpamStore {
  load(): Promise<VersionedIpamState>;
  /** Stores `state` only if the stored version still equals `expected`; 'conflict' otherwise. Returns the new version. */
  save(state: IpamState, expected: string | undefined): Promise<IpamSaveResult>;
}

const DEFAULT_ATTEMPTS = 10;

function givingUp(what: string, attempts: number): Error {
  return new Error(
    `IPAM: ${what} lost the race for the stored state ${attempts} times in a row (another writer keeps changing it); giving up`,
  );
}

/**
 * load → allocate → save, retried on conflict (re-load and re-allocate on the fresh state) up to
 * `maxAttempts` (default 10); throws an Error after that. Saves only when the result changed.
 */
export async function allocateWithStore(
  store: IpamStore,
  requests: IpamRequest[],
  ranges: Map<string, AddressRange[]>,
  maxAttempts: number = DEFAULT_ATTEMPTS,
): Promise<IpamResult> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const { state, version } = await store.load();
    const result = allocate(state, requests, ranges);
    if (!result.changed) return result;
    const saved = await store.save(result.state, version);
    if (saved.ok) return result;
  }
  throw givingUp('allocation', maxAttempts);
}

/**
 * Same retry loop for commitReleases. `released` (the `releasing` of the state whose declaration was
 * applied) limits the commit to those records; without it every releasing address is freed.
 */
export async function commitReleasesWithStore(
  store: IpamStore,
  maxAttempts: number = DEFAULT_ATTEMPTS,
  released?: Record<string, Allocation>,
): Promise<IpamState> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const { state, version } = await store.load();
    const next = commitReleases(state, released);
    if (Object.keys(next.releasing).length === Object.keys(state.releasing).length) return next;
    const saved = await store.save(next, version);
    if (saved.ok) return next;
  }
  throw givingUp('committing releases', maxAttempts);
}

function copyState(state: IpamState): IpamState {
  return structuredClone({ allocations: state.allocations, releasing: state.releasing });
}

/**
 * An in-memory CAS store (tests, and the model for the Kubernetes store): versions are counters.
 * `beforeSave` lets tests interleave another writer between a load and its save.
 */
export class MemoryIpamStore implements IpamStore {
  /** Called at the start of every save, before the version check. */
  beforeSave: ((state: IpamState, expected: string | undefined) => void | Promise<void>) | undefined;
  /** Saves refused because the version had changed. */
  conflicts = 0;
  private state: IpamState;
  private version: string | undefined;
  private counter = 0;

  constructor(initial?: IpamState) {
    this.state = initial ? copyState(initial) : { allocations: {}, releasing: {} };
    this.version = initial ? this.nextVersion() : undefined;
  }

  private nextVersion(): string {
    this.counter += 1;
    return String(this.counter);
  }

  async load(): Promise<VersionedIpamState> {
    return { state: copyState(this.state), version: this.version };
  }

  async save(state: IpamState, expected: string | undefined): Promise<IpamSaveResult> {
    if (this.beforeSave) await this.beforeSave(state, expected);
    if (expected !== this.version) {
      this.conflicts += 1;
      return { ok: false, conflict: true };
    }
    this.state = copyState(state);
    this.version = this.nextVersion();
    return { ok: true, version: this.version };
  }
}

/** One `key → {label, address}` map; addresses come back in canonical form. */
function parseAllocations(value: unknown, where: string, errors: string[]): Record<string, Allocation> {
  const out: Record<string, Allocation> = {};
  if (value === undefined || value === null) return out;
  if (!isRecord(value)) {
    errors.push(`${where}: must be an object of key → {label, address}`);
    return out;
  }
  for (const [key, entry] of Object.entries(value)) {
    const at = `${where}[${JSON.stringify(key)}]`;
    if (!isRecord(entry)) {
      errors.push(`${at}: must be an object {label, address}`);
      continue;
    }
    const { label, address } = entry;
    const parsed = typeof address === 'string' ? addressValue(address) : undefined;
    if (typeof label !== 'string' || label === '') errors.push(`${at}.label: must be a non-empty string`);
    if (!parsed) errors.push(`${at}.address: ${JSON.stringify(address)} is not an IP address`);
    if (typeof label === 'string' && label !== '' && parsed) out[key] = { label, address: formatAddress(parsed.family, parsed.value) };
  }
  return out;
}

/**
 * Validates an unknown JSON value as IpamState (for stores reading files/CRs): returns the state or
 * an error string. Missing `allocations`/`releasing` read as empty (a fresh custom resource's spec
 * may omit empty maps); anything else unknown is an error rather than silently dropped state.
 */
export function parseIpamState(value: unknown): IpamState | string {
  if (!isRecord(value)) return 'IPAM state must be an object with "allocations" and "releasing"';
  const errors: string[] = [];
  const unknown = Object.keys(value).filter((k) => k !== 'allocations' && k !== 'releasing');
  if (unknown.length > 0) errors.push(`unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
  const allocations = parseAllocations(value['allocations'], 'allocations', errors);
  const releasing = parseAllocations(value['releasing'], 'releasing', errors);
  return errors.length > 0 ? `invalid IPAM state: ${errors.join('; ')}` : { allocations, releasing };
}
