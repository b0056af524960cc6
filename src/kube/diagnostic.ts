import type { ObjectRef } from './refs.js';
import { describeRef } from './refs.js';

/**
 * A problem found in the input, returned as data by the pure core (never thrown).
 * - `error`: the resource (or the named part of it) was rejected and is not on the BIG-IP.
 * - `warning`: the resource was translated, but something a user should fix was found
 *   (for example a missing Service gives an empty pool).
 */
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** The resource the message is about; for input files, kind `File` and the path as name. */
  ref: ObjectRef;
  severity: Severity;
  /** Dotted path of the offending field, e.g. `spec.pools[0].servicePort`, when there is one. */
  field?: string;
  message: string;
  /**
   * A warning the live controller also reports as a Warning Event with this reason when it
   * appears (other warnings are only logged, and errors always get an Event).
   */
  event?: string;
}

export function diagnostic(ref: ObjectRef, severity: Severity, message: string, field?: string): Diagnostic {
  const d: Diagnostic = { ref, severity, message };
  if (field !== undefined) d.field = field;
  return d;
}

/** One line as the CLI prints it: `Kind ns/name: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  const prefix = d.severity === 'warning' ? 'warning: ' : '';
  const field = d.field ? `${d.field}: ` : '';
  return `${describeRef(d.ref)}: ${prefix}${field}${d.message}`;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Deterministic order for printing: by resource, then field, then message. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    compareStrings(a.ref.cluster ?? '', b.ref.cluster ?? '') ||
    compareStrings(a.ref.kind, b.ref.kind) ||
    compareStrings(a.ref.namespace, b.ref.namespace) ||
    compareStrings(a.ref.name, b.ref.name) ||
    compareStrings(a.field ?? '', b.field ?? '') ||
    compareStrings(a.message, b.message)
  );
}
