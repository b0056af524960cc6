/**
 * What each served resource's `status` should say after a plan (and an apply), docs/controller.md: the
 * CIS fields on VirtualServer/TransportServer (`vsAddress`, `status`, `error`, `lastUpdated`) plus
 * a standard `Ready` condition, and `status.loadBalancer.ingress[].ip` on LoadBalancer Services
 * and Ingresses. Pure: the writer (adapters/kube-status-writer.ts) compares the result with what
 * the watch last saw and patches only what differs, so an unchanged resource must come out
 * identical to its previous status — `lastUpdated` and `lastTransitionTime` move only when the
 * status really changes, or every reconcile would rewrite every status.
 */
import { redactText } from '../lib/redact.js';
import type { ObjectRef } from '../kube/refs.js';
import { refKey } from '../kube/refs.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import { compareDiagnostics } from '../kube/diagnostic.js';
import { jsonEqual } from '../lib/json-equal.js';
import { isRecord } from '../lib/is-record.js';

/** A resource the plan serves: a virtual on the BIG-IP is (or should be) made from it. */
export interface ServedResource {
  /** Kind VirtualServer, TransportServer, Service or Ingress; with `cluster` when several clusters are configured. */
  ref: ObjectRef;
  /** The virtual addresses it got (from its spec or from IPAM); empty when none. */
  addresses: string[];
  /** `metadata.generation`, written as the Ready condition's `observedGeneration` when known. */
  generation?: number;
}

export interface ResourceStatus {
  ref: ObjectRef;
  /** The desired `status` object to write. */
  status: Record<string, unknown>;
}

export interface StatusInput {
  resources: ServedResource[];
  /** The plan's diagnostics: errors make a VirtualServer/TransportServer `Error`, warnings are only reported. */
  problems: Diagnostic[];
  /** What the BIG-IP refused (the apply report's problems), naming the resources concerned. */
  applyProblems: Array<{ sources: ObjectRef[]; message: string }>;
  /** The BIG-IP has not confirmed the declaration yet: resources without errors are `Pending`. */
  pending?: boolean;
  /** RFC 3339 time written as `lastUpdated` / `lastTransitionTime` when something changed. */
  now: string;
  /** The resource's status as last seen (by the watch), to keep timestamps of what did not change. */
  previous?: (ref: ObjectRef) => Record<string, unknown> | undefined;
  /**
   * Invalid resources whose last good version the BIG-IP keeps (by `Kind/namespace/name`): their
   * status stays `Error`, with the kept addresses, and the Ready condition names the kept version.
   */
  kept?: ReadonlyMap<string, { version: string; addresses: string[] }>;
}

/** The kinds that carry the CIS status shape; the others only get load-balancer addresses. */
const CIS_STATUS_KINDS: ReadonlySet<string> = new Set(['VirtualServer', 'TransportServer']);
const LOAD_BALANCER_KINDS: ReadonlySet<string> = new Set(['Service', 'Ingress']);

/** CIS's `vsAddress` default in the CRD: written when there is no address, or the API server's default would differ from ours on every read. */
export const NO_ADDRESS = 'None';
export const READY = 'Ready';
/** The condition kube-as3 writes on a LoadBalancer Service it refuses (a domain-prefixed type, as the API conventions ask of non-core conditions). */
export const SERVICE_CONDITION = 'kube-as3.dev/Ready';
/** The CRD's `maxLength` of a condition message; longer AS3 messages would make the API server refuse the whole patch. */
const MAX_MESSAGE = 32768;

type CisState = 'Ok' | 'Error' | 'Pending';

interface Verdict {
  state: CisState;
  reason: string;
  message: string;
  error?: string;
}

/** What the problems say about one resource. */
interface Findings {
  errors: Diagnostic[];
  warnings: Diagnostic[];
  applyMessages: string[];
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareRefs(a: ObjectRef, b: ObjectRef): number {
  return (
    compareStrings(a.cluster ?? '', b.cluster ?? '') ||
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.namespace, b.namespace) ||
    compareStrings(a.name, b.name)
  );
}

/** Identity of a resource in one cluster (a cluster-less ref has an empty cluster part). */
function fullKey(ref: ObjectRef): string {
  return `${ref.cluster ?? ''}\u0000${ref.kind}\u0000${ref.namespace}\u0000${ref.name}`;
}

/**
 * Whether a problem's ref names `resource`. Most diagnostics are about the merged resource and
 * carry no cluster: they concern its copy in every cluster. A ref with a cluster (a copy that
 * conflicts with an earlier cluster's) concerns only that copy.
 */
function names(problemRef: ObjectRef, resource: ObjectRef): boolean {
  if (problemRef.kind !== resource.kind || problemRef.namespace !== resource.namespace || problemRef.name !== resource.name) return false;
  return problemRef.cluster === undefined || resource.cluster === undefined || problemRef.cluster === resource.cluster;
}

/** Redacted (a status is readable by anyone who can read the resource), then cut to the API's limit. */
function truncate(message: string): string {
  const text = redactText(message);
  return text.length <= MAX_MESSAGE ? text : `${text.slice(0, MAX_MESSAGE - 1)}…`;
}

/** `field: message`, the way a user finds the offending line of the manifest. */
function describe(d: Diagnostic): string {
  return d.field ? `${d.field}: ${d.message}` : d.message;
}

function unique(texts: string[]): string[] {
  return [...new Set(texts)];
}

/** Identity of a resource across clusters: problems are looked up by it, then filtered by cluster. */
function nameKey(ref: ObjectRef): string {
  return `${ref.kind}\u0000${ref.namespace}\u0000${ref.name}`;
}

/** The problems by the resource they name, so that each resource finds its own without scanning them all. */
interface ProblemIndex {
  diagnostics: Map<string, Diagnostic[]>;
  applied: Map<string, Array<{ sources: ObjectRef[]; message: string }>>;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

function indexProblems(input: StatusInput): ProblemIndex {
  const diagnostics = new Map<string, Diagnostic[]>();
  for (const d of input.problems) push(diagnostics, nameKey(d.ref), d);
  const applied = new Map<string, Array<{ sources: ObjectRef[]; message: string }>>();
  for (const p of input.applyProblems) for (const s of p.sources) push(applied, nameKey(s), p);
  return { diagnostics, applied };
}

function findingsFor(ref: ObjectRef, index: ProblemIndex): Findings {
  const key = nameKey(ref);
  const mine = (index.diagnostics.get(key) ?? []).filter((d) => names(d.ref, ref)).sort(compareDiagnostics);
  const refused = (index.applied.get(key) ?? []).filter((p) => p.sources.some((s) => names(s, ref)));
  return {
    errors: mine.filter((d) => d.severity === 'error'),
    warnings: mine.filter((d) => d.severity === 'warning'),
    applyMessages: unique(refused.map((p) => p.message)).sort(compareStrings),
  };
}

/** Error beats Pending beats Ok: a rejected resource is rejected whatever the BIG-IP says next. */
function verdictOf(findings: Findings, pending: boolean, keptVersion: string | undefined): Verdict {
  const errorTexts = unique([...findings.errors.map(describe), ...findings.applyMessages]);
  if (errorTexts.length > 0) {
    const error = truncate(errorTexts.join('; '));
    // The spec's own problems come first: fixing them is what the user can do.
    const reason = findings.errors.length > 0 ? 'InvalidSpec' : 'ApplyFailed';
    const message = keptVersion === undefined ? error : truncate(`${error}; the BIG-IP keeps the last good version (${keptVersion})`);
    return { state: 'Error', reason, message, error };
  }
  if (pending) return { state: 'Pending', reason: 'Pending', message: 'Waiting for the BIG-IP to apply the declaration' };
  if (findings.warnings.length > 0) {
    const warnings = unique(findings.warnings.map(describe)).join('; ');
    return { state: 'Ok', reason: 'AppliedWithWarnings', message: truncate(`Applied to the BIG-IP with warnings: ${warnings}`) };
  }
  return { state: 'Ok', reason: 'Applied', message: 'Applied to the BIG-IP' };
}

function conditionStatus(state: CisState): 'True' | 'False' | 'Unknown' {
  return state === 'Ok' ? 'True' : state === 'Error' ? 'False' : 'Unknown';
}

function conditionsOf(previous: Record<string, unknown> | undefined): unknown[] {
  const conditions = previous?.['conditions'];
  return Array.isArray(conditions) ? conditions : [];
}

function isReady(condition: unknown): condition is Record<string, unknown> {
  return isRecord(condition) && condition['type'] === READY;
}

/**
 * The Ready condition, keeping the previous `lastTransitionTime` while its status stays the same
 * (that is what the field means: when the status last flipped, not when the message changed).
 */
function readyCondition(
  verdict: Verdict,
  previousReady: Record<string, unknown> | undefined,
  now: string,
  generation: number | undefined,
  type = READY,
): Record<string, unknown> {
  const status = conditionStatus(verdict.state);
  const kept = previousReady?.['status'] === status && typeof previousReady['lastTransitionTime'] === 'string';
  const condition: Record<string, unknown> = {
    type,
    status,
    reason: verdict.reason,
    message: verdict.message,
    lastTransitionTime: kept ? previousReady['lastTransitionTime'] : now,
  };
  if (generation !== undefined) condition['observedGeneration'] = generation;
  return condition;
}

/** Conditions other controllers set are kept in place; ours replaces the previous Ready or comes last. */
function mergeConditions(previous: unknown[], ready: Record<string, unknown>): unknown[] {
  const at = previous.findIndex(isReady);
  if (at < 0) return [...previous, ready];
  return previous.map((c, i) => (i === at ? ready : c));
}

function cisStatus(resource: ServedResource, findings: Findings, input: StatusInput): Record<string, unknown> {
  const verdict = verdictOf(findings, input.pending === true, input.kept?.get(refKey(resource.ref))?.version);
  const previous = input.previous?.(resource.ref);
  const previousConditions = conditionsOf(previous);
  const ready = readyCondition(verdict, previousConditions.find(isReady), input.now, resource.generation);
  const status: Record<string, unknown> = {
    vsAddress: resource.addresses.length > 0 ? resource.addresses.join(',') : NO_ADDRESS,
    status: verdict.state,
  };
  if (verdict.error !== undefined) status['error'] = verdict.error;
  status['lastUpdated'] = input.now;
  status['conditions'] = mergeConditions(previousConditions, ready);
  // Nothing but the time would change: keep the previous time, so the status is the same as before.
  if (
    previous !== undefined &&
    typeof previous['lastUpdated'] === 'string' &&
    jsonEqual({ ...status, lastUpdated: previous['lastUpdated'] }, previous)
  ) {
    status['lastUpdated'] = previous['lastUpdated'];
  }
  return status;
}

function loadBalancerStatus(resource: ServedResource): Record<string, unknown> | undefined {
  if (resource.addresses.length === 0) return undefined;
  return { loadBalancer: { ingress: resource.addresses.map((ip) => ({ ip })) } };
}

/**
 * A LoadBalancer Service: its addresses, and while kube-as3 refuses it, the condition
 * `kube-as3.dev/Ready` (False, the reason, and the version the BIG-IP keeps). The condition is
 * removed once the Service is fine again; other controllers' conditions are left as they are.
 */
function serviceStatus(resource: ServedResource, findings: Findings, input: StatusInput): Record<string, unknown> | undefined {
  const status = loadBalancerStatus(resource) ?? {};
  const previous = conditionsOf(input.previous?.(resource.ref));
  const ours = previous.find((c): c is Record<string, unknown> => isRecord(c) && c['type'] === SERVICE_CONDITION);
  const verdict = verdictOf(findings, false, input.kept?.get(refKey(resource.ref))?.version);
  if (verdict.state === 'Error') {
    const condition = readyCondition(verdict, ours, input.now, resource.generation, SERVICE_CONDITION);
    status['conditions'] = ours ? previous.map((c) => (c === ours ? condition : c)) : [...previous, condition];
  } else if (ours) {
    status['conditions'] = previous.filter((c) => c !== ours);
  }
  return Object.keys(status).length > 0 ? status : undefined;
}

/** One entry per resource (duplicates in the input merged), addresses de-duplicated in order. */
function mergeResources(resources: ServedResource[]): Map<string, ServedResource> {
  const byKey = new Map<string, ServedResource>();
  for (const r of resources) {
    const key = fullKey(r.ref);
    const seen = byKey.get(key);
    if (seen === undefined) {
      byKey.set(key, { ...r, addresses: unique(r.addresses) });
    } else {
      seen.addresses = unique([...seen.addresses, ...r.addresses]);
      if (seen.generation === undefined && r.generation !== undefined) seen.generation = r.generation;
    }
  }
  return byKey;
}

/**
 * VirtualServers/TransportServers rejected by the plan (so absent from `resources`) still get a
 * status: it is where the user reads why nothing appeared on the BIG-IP.
 */
function rejected(input: StatusInput, served: ReadonlyMap<string, ServedResource>): ServedResource[] {
  const servedByName = new Map<string, ObjectRef[]>();
  for (const r of served.values()) push(servedByName, nameKey(r.ref), r.ref);
  const out = new Map<string, ServedResource>();
  for (const d of input.problems) {
    if (d.severity !== 'error' || !(CIS_STATUS_KINDS.has(d.ref.kind) || d.ref.kind === 'Service')) continue;
    if ((servedByName.get(nameKey(d.ref)) ?? []).some((ref) => names(d.ref, ref))) continue;
    const { kind, namespace, name, cluster } = d.ref;
    const ref: ObjectRef = cluster === undefined ? { kind, namespace, name } : { kind, namespace, name, cluster };
    out.set(fullKey(ref), { ref, addresses: input.kept?.get(refKey(ref))?.addresses ?? [] });
  }
  return [...out.values()];
}

/** The status every served (or rejected) resource should have, ordered by cluster, kind, namespace and name. */
export function desiredStatuses(input: StatusInput): ResourceStatus[] {
  const served = mergeResources(input.resources);
  const index = indexProblems(input);
  const out: ResourceStatus[] = [];
  for (const resource of [...served.values(), ...rejected(input, served)]) {
    if (CIS_STATUS_KINDS.has(resource.ref.kind)) {
      out.push({ ref: resource.ref, status: cisStatus(resource, findingsFor(resource.ref, index), input) });
    } else if (resource.ref.kind === 'Service') {
      const status = serviceStatus(resource, findingsFor(resource.ref, index), input);
      if (status !== undefined) out.push({ ref: resource.ref, status });
    } else if (LOAD_BALANCER_KINDS.has(resource.ref.kind)) {
      const status = loadBalancerStatus(resource);
      if (status !== undefined) out.push({ ref: resource.ref, status });
    }
  }
  return out.sort((a, b) => compareRefs(a.ref, b.ref));
}
