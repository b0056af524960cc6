/**
 * A diff a network engineer can review: per tenant and application, virtuals and other objects
 * added or removed, pool members added or removed, and changed properties with old and new values.
 * Used by `kube-as3 diff` and in apply logs. Private keys and other secrets are shown only as
 * fingerprint markers (lib/redact.ts), certificates by subject, names, expiry and fingerprint.
 * Pure: no I/O.
 */
import { CONSTANTS_PROPERTY, readProvenance } from '../translate/provenance.js';
import fjp from 'fast-json-patch';
import { redactValue } from '../lib/redact.js';
import { describeCertificates } from '../normalize/certificate.js';
import type { As3Application, As3Tenant } from '../model/as3-types.js';
import { applicationsOf } from './tenant-diff.js';
import type { TenantChange } from './tenant-diff.js';

type AnyObject = Record<string, unknown>;

const MAX_VALUE = 80;

function isObject(value: unknown): value is AnyObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A value in a diff line. Callers pass redacted objects (secrets are markers); certificates are
 * described by subject, names, expiry and fingerprint rather than cut-off PEM text.
 */
function show(value: unknown): string {
  const certificates = typeof value === 'string' ? describeCertificates(value) : undefined;
  if (certificates !== undefined) return `<certificate ${certificates}>`;
  const text = value === undefined ? '(unset)' : JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** `10.0.0.1:80` (IPv6 in brackets) and the ratio when there is one. */
function memberTexts(pool: AnyObject): string[] {
  const out: string[] = [];
  for (const m of Array.isArray(pool['members']) ? pool['members'] : []) {
    if (!isObject(m)) continue;
    const port = m['servicePort'];
    const ratio = m['ratio'] === undefined ? '' : ` ratio ${String(m['ratio'])}`;
    for (const a of Array.isArray(m['serverAddresses']) ? m['serverAddresses'] : []) {
      const address = String(a);
      out.push(`${address.includes(':') ? `[${address}]` : address}:${String(port)}${ratio}`);
    }
  }
  return out.sort();
}

/** One line about a whole object: its class and what identifies it on the device. */
function objectSummary(name: string, obj: unknown): string {
  if (!isObject(obj)) return name;
  const cls = String(obj['class'] ?? 'object');
  if (cls.startsWith('Service_') && cls !== 'Service_Address') {
    const addresses = (Array.isArray(obj['virtualAddresses']) ? obj['virtualAddresses'] : []).map((a) =>
      isObject(a) ? String(a['use']) : String(a),
    );
    return `virtual ${name} (${cls} ${addresses.join(', ')} port ${String(obj['virtualPort'])})`;
  }
  if (cls === 'Pool') return `pool ${name} (${memberTexts(obj).length} members)`;
  const pem = cls === 'Certificate' ? obj['certificate'] : cls === 'CA_Bundle' ? obj['bundle'] : undefined;
  const certificates = typeof pem === 'string' ? describeCertificates(pem) : undefined;
  return certificates === undefined ? `${cls} ${name}` : `${cls} ${name} (${certificates})`;
}

function objectLabel(name: string, obj: AnyObject): string {
  const cls = String(obj['class'] ?? 'object');
  if (cls.startsWith('Service_') && cls !== 'Service_Address') return `virtual ${name}`;
  if (cls === 'Pool') return `pool ${name}`;
  return `${cls} ${name}`;
}

/** Property-level changes of one object; pool members as members added and removed. */
function objectChanges(name: string, before: AnyObject, after: AnyObject): string[] {
  const label = objectLabel(name, after);
  const lines: string[] = [];
  if (after['class'] === 'Pool' || before['class'] === 'Pool') {
    const was = new Set(memberTexts(before));
    const now = new Set(memberTexts(after));
    for (const m of now) if (!was.has(m)) lines.push(`+ ${label} member ${m}`);
    for (const m of was) if (!now.has(m)) lines.push(`- ${label} member ${m}`);
  }
  const strip = (o: AnyObject): AnyObject => (o['class'] === 'Pool' ? { ...o, members: undefined } : o);
  const ops = fjp.compare(strip(before), strip(after));
  // One line per changed top-level property: nested paths are summarised by their property.
  const properties = [...new Set(ops.map((op) => op.path.split('/')[1] ?? ''))].filter((p) => p !== '').sort();
  for (const p of properties) {
    const key = p.replace(/~1/g, '/').replace(/~0/g, '~');
    lines.push(`~ ${label} ${key}: ${show(before[key])} → ${show(after[key])}`);
  }
  return lines;
}

/**
 * The resources an application is made from, as a reviewer reads them: one line per resource
 * added, removed or at another version (`constants`, translate/provenance.ts; the recorded
 * objects say the same as the versions, so they are not shown).
 */
function sourceChanges(before: unknown, after: unknown): string[] {
  const was = readProvenance(before);
  const now = readProvenance(after);
  const lines: string[] = [];
  for (const key of [...new Set([...was.keys(), ...now.keys()])].sort()) {
    const [kind = '', namespace = '', ...name] = key.split('/');
    const resource = `${kind} ${namespace}/${name.join('/')}`;
    const a = was.get(key);
    const b = now.get(key);
    if (a === undefined) lines.push(`+ source ${resource} (${b ?? ''})`);
    else if (b === undefined) lines.push(`- source ${resource} (${a})`);
    else if (a !== b) lines.push(`~ source ${resource}: ${a} → ${b}`);
  }
  return lines;
}

/** The lines of one changed application (indented by the caller). */
export function describeApplication(before: As3Application | undefined, after: As3Application | undefined): string[] {
  const was = before ?? {};
  const now = after ?? {};
  const names = [...new Set([...Object.keys(was), ...Object.keys(now)])]
    .filter((n) => !['class', 'template', 'label', 'remark', CONSTANTS_PROPERTY].includes(n))
    .sort();
  const lines: string[] = before !== undefined && after !== undefined ? sourceChanges(before, after) : [];
  for (const name of names) {
    const a = (was as AnyObject)[name];
    const b = (now as AnyObject)[name];
    if (a === undefined) lines.push(`+ ${objectSummary(name, b)}`);
    else if (b === undefined) lines.push(`- ${objectSummary(name, a)}`);
    else if (isObject(a) && isObject(b)) lines.push(...objectChanges(name, a, b));
  }
  return lines;
}

function countWord(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function headline(change: TenantChange): string {
  if (change.kind === 'delete') return `tenant ${change.tenant}: delete (${countWord(change.removed.length, 'application')})`;
  if (change.kind === 'create') return `tenant ${change.tenant}: create (${countWord(change.added.length, 'application')})`;
  const parts = [
    change.added.length > 0 ? `${change.added.length} added` : '',
    change.changed.length > 0 ? `${change.changed.length} changed` : '',
    change.removed.length > 0 ? `${change.removed.length} removed` : '',
    change.propertiesChanged ? 'tenant properties changed' : '',
  ].filter((p) => p !== '');
  return `tenant ${change.tenant}: update (${parts.join(', ')})`;
}

/**
 * The readable diff of one tenant change. Deleted and created tenants list their applications and
 * virtuals; updated tenants show every changed application object by object.
 */
export function describeTenantChange(
  change: TenantChange,
  appliedTenant: As3Tenant | undefined,
  desiredTenant: As3Tenant | undefined,
): string {
  // Secrets become fingerprint markers before anything is compared or shown: a rotated key is a change, never a value.
  const applied = redactValue(appliedTenant);
  const desired = redactValue(desiredTenant);
  const before = applicationsOf(applied);
  const after = applicationsOf(desired);
  const lines = [headline(change)];
  for (const app of change.added) {
    lines.push(`  + application ${app}`, ...describeApplication(undefined, after.get(app)).map((l) => `      ${l}`));
  }
  for (const app of change.removed) lines.push(`  - application ${app}`);
  for (const app of change.changed) {
    lines.push(`  ~ application ${app}`, ...describeApplication(before.get(app), after.get(app)).map((l) => `      ${l}`));
  }
  if (change.propertiesChanged) {
    for (const key of ['label', 'remark']) {
      if (applied?.[key] !== desired?.[key]) lines.push(`  ~ tenant ${key}: ${show(applied?.[key])} → ${show(desired?.[key])}`);
    }
  }
  return lines.join('\n');
}
