import assert from 'node:assert/strict';
import type { ApplyProblem, ApplyReport } from '../apply/engine.js';
import type { TenantChange } from '../apply/tenant-diff.js';
import { diagnostic } from '../kube/diagnostic.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import { applyResult } from './apply-result.js';

const BAD = { kind: 'VirtualServer', namespace: 'shop', name: 'bad' };

function change(
  tenant: string,
  added: string[],
  changed: string[] = [],
  removed: string[] = [],
  kind: TenantChange['kind'] = 'update',
): TenantChange {
  return { tenant, kind, added, changed, removed, propertiesChanged: false };
}

function report(changes: TenantChange[], problems: ApplyProblem[] = [], posts = 1): ApplyReport {
  const failed = new Set(problems.map((p) => p.tenant));
  return { changes, applied: changes.map((c) => c.tenant).filter((t) => !failed.has(t)), problems, posts, inSync: problems.length === 0 };
}

const refusedApp: ApplyProblem = {
  tenant: 'shop',
  application: 'crd_10_1_1_9_80',
  message: 'AS3 refused the application: ...',
  sources: [BAD],
};

describe('applyResult (the last line of apply)', () => {
  const cases: Array<{ what: string; report: ApplyReport; problems?: Diagnostic[]; line: string; code: 0 | 2 }> = [
    {
      what: 'nothing to do',
      report: report([], [], 0),
      line: 'No changes: the BIG-IP already holds the desired state; nothing withheld.',
      code: 0,
    },
    {
      what: 'everything applied',
      report: report([change('shop', ['a', 'b']), change('api', [], ['c'], [], 'update')], [], 2),
      line: 'Applied 3 applications in tenants api, shop (2 posts to AS3); nothing withheld.',
      code: 0,
    },
    {
      what: 'a deleted tenant counts its removed applications',
      report: report([change('old', [], [], ['x'], 'delete')]),
      line: 'Applied 1 application in tenant old (1 post to AS3); nothing withheld.',
      code: 0,
    },
    {
      what: 'AS3 refused one application: the others are applied, the refused one withheld',
      report: report([change('shop', ['crd_10_1_1_1_80', 'crd_10_1_1_9_80'])], [refusedApp], 3),
      line: 'Applied 1 application in tenant shop (3 posts to AS3); withheld: application shop/crd_10_1_1_9_80.',
      code: 2,
    },
    {
      what: 'a resource kube-as3 refused, with nothing else to change',
      report: report([], [], 0),
      problems: [diagnostic(BAD, 'error', 'bad field', 'spec.x'), diagnostic(BAD, 'error', 'other field', 'spec.y')],
      line: 'No changes: the BIG-IP already holds the desired state; withheld: VirtualServer shop/bad.',
      code: 2,
    },
    {
      what: 'warnings withhold nothing',
      report: report([change('shop', ['a'])]),
      problems: [diagnostic(BAD, 'warning', 'Service not found')],
      line: 'Applied 1 application in tenant shop (1 post to AS3); nothing withheld.',
      code: 0,
    },
    {
      what: 'a refused deletion withholds the tenant',
      report: report([change('old', [], [], ['x'], 'delete')], [{ tenant: 'old', message: 'AS3 refused to delete it', sources: [] }], 1),
      line: 'Nothing applied; withheld: tenant old.',
      code: 2,
    },
    {
      what: 'out of sync without a named problem still exits 2',
      report: { ...report([change('shop', ['a'])]), inSync: false },
      line: 'Applied 1 application in tenant shop (1 post to AS3); withheld: part of the desired state (the BIG-IP does not hold all of it).',
      code: 2,
    },
  ];
  for (const c of cases) {
    it(c.what, () => {
      assert.deepEqual(applyResult(c.report, c.problems ?? []), { line: c.line, code: c.code });
    });
  }
});
