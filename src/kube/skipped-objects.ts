/**
 * Objects that are skipped because of their kind or apiVersion although they were most likely
 * meant for kube-as3: a VirtualServer of `cis.f5.com/v1beta1`, `kind: Virtualserver`, a known
 * kind without `apiVersion`, a `networking.k8s.io/v1beta1` Ingress. Each gets a warning; objects
 * of other kinds and API groups (Deployments, NGINX's `k8s.nginx.org` VirtualServer) are skipped
 * without one, since manifest folders are full of them.
 */
import { closestName } from '../lib/closest-name.js';
import { API_VERSION } from './kinds.js';
import { KNOWN_KINDS, isKnownKind } from './types.js';
import type { KnownKind, KubeObject } from './types.js';

/** API groups a kind was served from before the one kube-as3 reads (`extensions/v1beta1` Ingress). */
const FORMER_GROUPS: Partial<Record<KnownKind, readonly string[]>> = { Ingress: ['extensions'] };

/** CIS kinds a later version will read. */
const LATER_CIS_KINDS: ReadonlySet<string> = new Set(['ExternalDNS', 'IngressLink']);

const CIS_GROUP = 'cis.f5.com';

/** `cis.f5.com/v1` → `cis.f5.com`; `v1` → '' (the core group). */
function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export interface SkipWarning {
  field: 'apiVersion' | 'kind';
  message: string;
}

function wrongVersion(kind: KnownKind, apiVersion: string | undefined): SkipWarning | undefined {
  const wanted = API_VERSION[kind];
  if (apiVersion === undefined || apiVersion === '') {
    return { field: 'apiVersion', message: `is missing; kube-as3 reads ${kind} as ${wanted}, so this object was skipped` };
  }
  const group = groupOf(apiVersion);
  if (group !== groupOf(wanted) && !(FORMER_GROUPS[kind] ?? []).includes(group)) return undefined;
  return { field: 'apiVersion', message: `${apiVersion} is not read; kube-as3 reads ${kind} as ${wanted}, so this object was skipped` };
}

function unknownKind(kind: string, apiVersion: string | undefined): SkipWarning | undefined {
  const group = apiVersion ? groupOf(apiVersion) : undefined;
  if (group === CIS_GROUP && LATER_CIS_KINDS.has(kind)) {
    return {
      field: 'kind',
      message: `${kind} is not supported by this version of kube-as3 and was ignored; keep it for CIS or remove it (docs/migrating-from-cis.md)`,
    };
  }
  // A misspelt kind is only guessed among the kinds of the object's own API group (any, without apiVersion).
  const candidates = KNOWN_KINDS.filter((k) => group === undefined || groupOf(API_VERSION[k]) === group);
  const suggestion = closestName(kind, candidates);
  if (suggestion !== undefined)
    return { field: 'kind', message: `${kind} is not a kind kube-as3 reads; did you mean ${suggestion}? This object was skipped` };
  if (group === CIS_GROUP) return { field: 'kind', message: `${kind} is not a ${CIS_GROUP} kind kube-as3 reads; this object was skipped` };
  return undefined;
}

/**
 * Why an object kube-as3 does not read was probably meant for it; undefined for objects that are
 * simply not kube-as3's (and for the objects it reads).
 */
export function skipWarning(obj: KubeObject): SkipWarning | undefined {
  const kind = obj.kind;
  if (typeof kind !== 'string' || kind === '') return undefined;
  const apiVersion = obj.apiVersion === undefined || obj.apiVersion === null ? undefined : String(obj.apiVersion);
  if (isKnownKind(kind)) return API_VERSION[kind] === apiVersion ? undefined : wrongVersion(kind, apiVersion);
  return unknownKind(kind, apiVersion);
}
