/**
 * The last line `kube-as3 apply` prints, and its exit code, from one set of facts: what the BIG-IP
 * confirmed (applications per tenant) and what was withheld (resources kube-as3 refused, and
 * applications or tenants the BIG-IP refused). The line says "withheld" exactly when the exit
 * code is 2, so a script and a reader never disagree. Pure: no I/O.
 */
import type { ApplyReport } from '../apply/engine.js';
import { describeRef, refKey } from '../kube/refs.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import { EXIT_OK, EXIT_REJECTED } from './io.js';

export interface ApplyResult {
  line: string;
  code: typeof EXIT_OK | typeof EXIT_REJECTED;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `tenant/application` of every application change the BIG-IP confirmed. */
function appliedApplications(report: ApplyReport): string[] {
  const withheld = new Set(report.problems.map((p) => (p.application === undefined ? p.tenant : `${p.tenant}/${p.application}`)));
  const out: string[] = [];
  for (const change of report.changes) {
    if (withheld.has(change.tenant)) continue;
    for (const app of [...change.added, ...change.changed, ...change.removed]) {
      if (!withheld.has(`${change.tenant}/${app}`)) out.push(`${change.tenant}/${app}`);
    }
  }
  return out.sort();
}

/** What did not reach the BIG-IP: refused resources first, then what AS3 refused. */
function withheldItems(report: ApplyReport, problems: readonly Diagnostic[]): string[] {
  const resources = new Map<string, string>();
  for (const d of problems) if (d.severity === 'error') resources.set(refKey(d.ref), describeRef(d.ref));
  const refused = report.problems.map((p) =>
    p.application === undefined ? `tenant ${p.tenant}` : `application ${p.tenant}/${p.application}`,
  );
  return [...[...resources.values()].sort(), ...[...new Set(refused)].sort()];
}

/**
 * `Applied 2 applications in tenant shop (3 posts to AS3); withheld: VirtualServer shop/bad,
 * application shop/crd_10_1_1_9_80.` or `...; nothing withheld.`
 */
export function applyResult(report: ApplyReport, problems: readonly Diagnostic[]): ApplyResult {
  const applied = appliedApplications(report);
  const tenants = [...new Set(applied.map((a) => a.slice(0, a.indexOf('/'))))].sort();
  const done =
    applied.length === 0
      ? report.changes.length === 0
        ? 'No changes: the BIG-IP already holds the desired state'
        : 'Nothing applied'
      : `Applied ${count(applied.length, 'application')} in ${tenants.length === 1 ? 'tenant' : 'tenants'} ${tenants.join(', ')} (${count(report.posts, 'post')} to AS3)`;
  const withheld = withheldItems(report, problems);
  // The engine reports every shortfall as a problem; should it not, the line still must not claim success.
  if (withheld.length === 0 && !report.inSync) withheld.push('part of the desired state (the BIG-IP does not hold all of it)');
  if (withheld.length === 0) return { line: `${done}; nothing withheld.`, code: EXIT_OK };
  return { line: `${done}; withheld: ${withheld.join(', ')}.`, code: EXIT_REJECTED };
}
