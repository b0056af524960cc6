/**
 * The planner's memory of each group's translation, kept so that one endpoint change costs one
 * application and not a pass over all of them: besides the entries by group id, it keeps them in
 * the grouping's order (a plan's snapshot is a copy of that array, not 10,000 lookups), and which
 * entries carry diagnostics and errors (a plan without any looks at none).
 */
import type { VirtualGroup } from '../model/virtual.js';
import type { ApplicationResult } from '../translate/application.js';

export interface GroupMemo {
  group: VirtualGroup;
  fingerprint: string;
  result: ApplicationResult;
}

export class MemoTable {
  private byId = new Map<string, GroupMemo>();
  private position = new Map<string, number>();
  private ordered: GroupMemo[] = [];
  /** Whether `ordered` was handed out by `snapshot()`: it is copied before the next change. */
  private shared = false;
  /** Ids of entries whose result has diagnostics, and of those with errors among them. */
  private withDiagnostics = new Set<string>();
  private withErrors = new Set<string>();

  get(id: string): GroupMemo | undefined {
    return this.byId.get(id);
  }

  /** Forgets everything (the next plan translates every group). */
  clear(): void {
    this.replaceAll([]);
  }

  /** The entries of a whole grouping, in its order; entries of vanished groups are dropped. */
  replaceAll(entries: GroupMemo[]): void {
    this.byId = new Map();
    this.position = new Map();
    this.withDiagnostics = new Set();
    this.withErrors = new Set();
    entries.forEach((entry, i) => {
      this.byId.set(entry.group.id, entry);
      this.position.set(entry.group.id, i);
      this.note(entry);
    });
    this.ordered = entries;
    this.shared = false;
  }

  /** One group's new entry (a group of the current grouping). */
  set(entry: GroupMemo): void {
    const id = entry.group.id;
    this.byId.set(id, entry);
    this.note(entry);
    const at = this.position.get(id);
    if (at === undefined) {
      this.position.set(id, this.ordered.length);
      this.own().push(entry);
    } else {
      this.own()[at] = entry;
    }
  }

  /** The entries in grouping order as they are now; later changes do not alter it. */
  snapshot(): readonly GroupMemo[] {
    this.shared = true;
    return this.ordered;
  }

  /** The entries in grouping order, to look through now (not to keep: see `snapshot()`). */
  inOrder(): readonly GroupMemo[] {
    return this.ordered;
  }

  /** Whether any entry has a diagnostic (then `snapshot()` must be looked through). */
  get hasDiagnostics(): boolean {
    return this.withDiagnostics.size > 0;
  }

  /** Whether any entry has an error diagnostic. */
  get hasErrors(): boolean {
    return this.withErrors.size > 0;
  }

  private own(): GroupMemo[] {
    if (this.shared) {
      this.ordered = this.ordered.slice();
      this.shared = false;
    }
    return this.ordered;
  }

  private note(entry: GroupMemo): void {
    const id = entry.group.id;
    const diagnostics = entry.result.diagnostics;
    if (diagnostics.length > 0) this.withDiagnostics.add(id);
    else this.withDiagnostics.delete(id);
    if (diagnostics.some((d) => d.severity === 'error')) this.withErrors.add(id);
    else this.withErrors.delete(id);
  }
}
