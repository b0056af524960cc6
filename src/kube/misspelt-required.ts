/**
 * "is required" next to a misspelt sibling: when a resource lacks a required field and holds an
 * unknown field beside it that looks like it (`servicePrt` for `servicePort`), the error says so,
 * since the fix is a rename rather than a new field. The unknown fields are those the CRD check
 * reported (unknown-fields.ts); required errors are the normalizers' (messages that start with
 * "is required"). A resource is matched across clusters by kind, namespace and name: the plan
 * reports a resource found in several clusters once.
 */
import { closestName } from '../lib/closest-name.js';
import type { Diagnostic } from './diagnostic.js';
import { refKey } from './refs.js';

/** `spec.pools[0].servicePort` → [`spec.pools[0]`, `servicePort`]. */
function splitField(field: string): [string, string] {
  const dot = field.lastIndexOf('.');
  return dot < 0 ? ['', field] : [field.slice(0, dot), field.slice(dot + 1)];
}

function isUnknownField(d: Diagnostic): boolean {
  return d.severity === 'warning' && d.field !== undefined && d.message.startsWith('unknown field');
}

/** The diagnostics, with each missing-field error naming the unknown sibling that most likely misspells it. */
export function namingMisspeltSiblings(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const unknownByParent = new Map<string, string[]>();
  for (const d of diagnostics) {
    if (!isUnknownField(d)) continue;
    const [parent, name] = splitField(d.field as string);
    const key = `${refKey(d.ref)}\n${parent}`;
    unknownByParent.set(key, [...(unknownByParent.get(key) ?? []), name]);
  }
  if (unknownByParent.size === 0) return [...diagnostics];
  return diagnostics.map((d) => {
    if (d.severity !== 'error' || d.field === undefined || !d.message.startsWith('is required')) return d;
    const [parent, name] = splitField(d.field);
    const sibling = closestName(name, unknownByParent.get(`${refKey(d.ref)}\n${parent}`) ?? []);
    if (sibling === undefined) return d;
    return { ...d, message: `${d.message} (${parent === '' ? '' : `${parent}.`}${sibling} is set instead: a misspelling of ${name}?)` };
  });
}
