import assert from 'node:assert/strict';
import type { As3Api, As3Info, DeployOutcome, TenantResult } from '../bigip/as3-api.js';
import type { ObjectRef } from '../kube/refs.js';
import type { As3Adc, As3Application, As3Declaration, As3Tenant } from '../model/as3-types.js';
import { ownerRemark } from '../translate/declaration.js';
import { ApplyEngine } from './engine.js';
import type { ApplyEvent, ApplyInput } from './engine.js';

const INSTANCE = 'test';
const MARK = { label: 'kube-as3', remark: ownerRemark(INSTANCE) };

/** A pool application; `bad` ones are refused by the in-memory device, like a dangling reference. */
function app(members: string[], bad = false): As3Application {
  return {
    class: 'Application',
    template: 'generic',
    vs: { class: 'Service_HTTP', virtualAddresses: ['10.0.0.1'], virtualPort: 80, pool: bad ? 'missing' : 'p' },
    p: { class: 'Pool', members: [{ servicePort: 80, serverAddresses: members, shareNodes: true }] },
  };
}

function tenant(apps: Record<string, As3Application>): As3Tenant {
  return { class: 'Tenant', ...MARK, ...apps };
}

function input(tenants: Record<string, As3Tenant>): ApplyInput {
  return {
    tenants: new Map(Object.entries(tenants)),
    sourcesOf: (t, a): ObjectRef[] => [{ kind: 'VirtualServer', namespace: t, name: a }],
  };
}

/**
 * An in-memory AS3: holds tenants, refuses a tenant whose virtual points at a missing pool (the
 * whole tenant then keeps its previous state, as AS3 rolls back), deletes empty tenants.
 */
class MemoryAs3 implements As3Api {
  readonly tenants = new Map<string, As3Tenant>();
  readonly posts: Array<{ endpoint: string; tenants: string[]; apps?: string[]; schemaVersion?: string }> = [];
  constructor(private readonly version = '3.56.0') {}

  info(): Promise<As3Info> {
    return Promise.resolve({ version: this.version, schemaCurrent: this.version, perApplication: this.version >= '3.50' });
  }

  currentDeclaration(): Promise<As3Adc | undefined> {
    if (this.tenants.size === 0) return Promise.resolve(undefined);
    return Promise.resolve({
      class: 'ADC',
      schemaVersion: this.version,
      id: 'x',
      label: 'x',
      remark: 'x',
      ...Object.fromEntries(structuredClone([...this.tenants])),
    });
  }

  private refusal(t: As3Tenant): string | undefined {
    for (const [name, a] of Object.entries(t)) {
      const vs = (a as { vs?: { pool?: string } }).vs;
      if (vs?.pool === 'missing') return `/${name}/vs/pool: pointer "missing" does not exist`;
    }
    return undefined;
  }

  private outcome(results: TenantResult[]): DeployOutcome {
    const failed = results.filter((r) => r.code !== 200).length;
    const status = failed === 0 ? 'ok' : failed === results.length ? 'rejected' : 'partial';
    return { status, httpStatus: status === 'ok' ? 200 : status === 'partial' ? 207 : 422, results, errors: [] };
  }

  private deployOne(name: string, t: As3Tenant): TenantResult {
    const error = this.refusal(t);
    if (error) return { tenant: name, code: 422, message: 'declaration failed', error };
    const apps = Object.keys(t).filter((k) => !['class', 'label', 'remark'].includes(k));
    if (apps.length === 0) this.tenants.delete(name);
    else this.tenants.set(name, structuredClone(t));
    return { tenant: name, code: 200, message: 'success' };
  }

  deployTenants(names: string[], declaration: As3Declaration): Promise<DeployOutcome> {
    this.posts.push({ endpoint: 'tenants', tenants: names, schemaVersion: declaration.declaration.schemaVersion });
    return Promise.resolve(this.outcome(names.map((n) => this.deployOne(n, declaration.declaration[n] as As3Tenant))));
  }

  deployApplications(name: string, _version: string, apps: Record<string, As3Application>): Promise<DeployOutcome> {
    this.posts.push({ endpoint: 'applications', tenants: [name], apps: Object.keys(apps) });
    const merged = { ...(this.tenants.get(name) ?? { class: 'Tenant' as const }), ...apps };
    return Promise.resolve(this.outcome([this.deployOne(name, merged)]));
  }
}

function engine(
  device: MemoryAs3,
  events: ApplyEvent[] = [],
  extra: Partial<ConstructorParameters<typeof ApplyEngine>[0]> = {},
): ApplyEngine {
  return new ApplyEngine({ api: device, instance: INSTANCE, schemaVersion: '3.56.0', onEvent: (e) => events.push(e), ...extra });
}

describe('ApplyEngine', () => {
  it('first apply posts every tenant once; re-applying the same state sends nothing', async () => {
    const device = new MemoryAs3();
    const e = engine(device);
    const desired = input({ A: tenant({ a1: app(['10.1.0.1']) }), B: tenant({ b1: app(['10.2.0.1']) }) });
    const first = await e.apply(desired);
    assert.deepEqual([first.inSync, first.posts, first.applied], [true, 1, ['A', 'B']]);
    assert.deepEqual([...device.tenants.keys()], ['A', 'B']);
    const again = await e.apply(desired);
    assert.deepEqual([again.inSync, again.posts, again.changes], [true, 0, []]);
  });

  it('one changed application goes through the per-application endpoint; removals and older devices post the tenant', async () => {
    const device = new MemoryAs3();
    const e = engine(device);
    await e.apply(input({ A: tenant({ a1: app(['10.1.0.1']), a2: app(['10.1.0.2']) }) }));
    const changed = await e.apply(input({ A: tenant({ a1: app(['10.1.0.1', '10.1.0.9']), a2: app(['10.1.0.2']) }) }));
    assert.equal(changed.inSync, true);
    assert.deepEqual(device.posts.at(-1), { endpoint: 'applications', tenants: ['A'], apps: ['a1'] });
    await e.apply(input({ A: tenant({ a1: app(['10.1.0.1', '10.1.0.9']) }) }));
    assert.deepEqual(
      device.posts.at(-1),
      { endpoint: 'tenants', tenants: ['A'], schemaVersion: '3.56.0' },
      'a removed application needs the tenant',
    );
    const old = new MemoryAs3('3.45.0');
    const e2 = engine(old);
    await e2.apply(input({ A: tenant({ a1: app(['10.1.0.1']) }) }));
    await e2.apply(input({ A: tenant({ a1: app(['10.1.0.2']) }) }));
    assert.deepEqual(
      old.posts.map((p) => p.endpoint),
      ['tenants', 'tenants'],
    );
  });

  it('posts the tenant, not the application, when the Shared application (Service_Address) changes', async () => {
    const device = new MemoryAs3();
    const e = engine(device);
    const shared = (icmp: string): As3Application => ({
      class: 'Application',
      template: 'shared',
      addr: { class: 'Service_Address', virtualAddress: '10.0.0.1', icmpEcho: icmp },
    });
    await e.apply(input({ A: tenant({ a: app(['10.1.0.1']), Shared: shared('enable') }) }));
    await e.apply(input({ A: tenant({ a: app(['10.1.0.1']), Shared: shared('disable') }) }));
    assert.deepEqual(
      device.posts.map((p) => p.endpoint),
      ['tenants', 'tenants'],
    );
  });

  it('withholds only the application AS3 refuses (bisection) and applies the rest, naming its resources', async () => {
    const device = new MemoryAs3();
    const events: ApplyEvent[] = [];
    const e = engine(device, events);
    const apps: Record<string, As3Application> = {};
    for (let i = 0; i < 8; i++) apps[`app${i}`] = app([`10.1.0.${i}`], i === 5);
    const report = await e.apply(input({ A: tenant(apps), B: tenant({ b1: app(['10.2.0.1']) }) }));
    assert.equal(report.inSync, false);
    assert.deepEqual(
      report.problems.map((p) => [p.tenant, p.application, p.sources.map((s) => s.name)]),
      [['A', 'app5', ['app5']]],
    );
    assert.match(report.problems[0]?.message ?? '', /AS3 refused the application: \/app5\/vs\/pool: pointer "missing" does not exist/);
    const held = Object.keys(device.tenants.get('A') ?? {}).filter((k) => k.startsWith('app'));
    assert.deepEqual(held, ['app0', 'app1', 'app2', 'app3', 'app4', 'app6', 'app7']);
    assert.ok(device.tenants.has('B'), 'the other tenant was applied by the first post (a 207)');
    assert.ok(report.posts <= 1 + 2 * Math.ceil(Math.log2(8)), `few posts: ${report.posts}`);
    assert.ok(events.some((ev) => ev.type === 'withheld' && ev.application === 'app5'));
    // The bad application keeps being withheld; the good ones are not re-sent.
    const again = await e.apply(input({ A: tenant(apps), B: tenant({ b1: app(['10.2.0.1']) }) }));
    assert.deepEqual(
      again.problems.map((p) => p.application),
      ['app5'],
    );
  });

  it("a refused change leaves the device's previous version of that application in place", async () => {
    const device = new MemoryAs3();
    const e = engine(device);
    await e.apply(input({ A: tenant({ a1: app(['10.1.0.1']), a2: app(['10.1.0.2']) }) }));
    const report = await e.apply(input({ A: tenant({ a1: app(['10.1.0.1'], true), a2: app(['10.1.0.3']) }) }));
    assert.deepEqual(
      report.problems.map((p) => p.application),
      ['a1'],
    );
    const held = device.tenants.get('A') as Record<string, As3Application>;
    assert.equal((held['a1']?.['vs'] as { pool: string }).pool, 'p', 'the working version stays');
    assert.deepEqual((held['a2']?.['p'] as { members: Array<{ serverAddresses: string[] }> }).members[0]?.serverAddresses, ['10.1.0.3']);
  });

  it('never touches a tenant without its marker, and reports the resources that ask for it', async () => {
    const device = new MemoryAs3();
    device.tenants.set('Finance', { class: 'Tenant', legacy: app(['10.9.0.1']) });
    device.tenants.set('Other', { class: 'Tenant', label: 'kube-as3', remark: ownerRemark('other-instance'), x: app(['10.8.0.1']) });
    const e = engine(device);
    const report = await e.apply(input({ Finance: tenant({ shop: app(['10.1.0.1']) }), Mine: tenant({ m: app(['10.1.0.2']) }) }));
    assert.deepEqual(
      report.problems.map((p) => [p.tenant, p.application, p.sources[0]?.name]),
      [['Finance', 'shop', 'shop']],
    );
    assert.match(report.problems[0]?.message ?? '', /without the ownership marker of kube-as3 instance test/);
    assert.deepEqual(device.tenants.get('Finance'), { class: 'Tenant', legacy: app(['10.9.0.1']) });
    assert.ok(device.tenants.has('Other'), "another instance's tenant is not deleted as an orphan");
    assert.deepEqual(
      device.posts.map((p) => p.tenants),
      [['Mine']],
    );
  });

  it('deletes its own tenants that nothing needs any more, also ones left by an earlier run', async () => {
    const device = new MemoryAs3();
    device.tenants.set('Stale', tenant({ old: app(['10.7.0.1']) }));
    const e = engine(device);
    const report = await e.apply(input({ A: tenant({ a1: app(['10.1.0.1']) }) }));
    assert.deepEqual(
      report.changes.map((c) => [c.tenant, c.kind]),
      [
        ['A', 'create'],
        ['Stale', 'delete'],
      ],
    );
    assert.deepEqual([...device.tenants.keys()], ['A']);
  });

  it('withholds an application that fails local validation without posting it', async () => {
    const device = new MemoryAs3();
    const e = engine(device, [], {
      validators: [(d) => (JSON.stringify(d).includes('10.6.6.6') ? '/declaration/A/bad: invalid address' : '')],
    });
    const report = await e.apply(input({ A: tenant({ good: app(['10.1.0.1']), bad: app(['10.6.6.6']) }) }));
    assert.deepEqual(
      report.problems.map((p) => [p.application, p.message]),
      [['bad', 'the application failed validation before posting, so it was not sent: /declaration/A/bad: invalid address']],
    );
    assert.deepEqual(Object.keys(device.tenants.get('A') ?? {}).sort(), ['class', 'good', 'label', 'remark']);
    assert.equal(device.posts.length, 1);
  });

  it("never sends a schemaVersion above the device's schemaCurrent", async () => {
    const device = new MemoryAs3('3.45.0');
    await engine(device).apply(input({ A: tenant({ a: app(['10.1.0.1']) }) }));
    assert.equal(device.posts[0]?.schemaVersion, '3.45.0');
    const current = new MemoryAs3('3.56.0');
    await engine(current, [], { schemaVersion: '3.50.0' }).apply(input({ A: tenant({ a: app(['10.1.0.1']) }) }));
    assert.equal(current.posts[0]?.schemaVersion, '3.50.0', 'a lower configured version is kept');
  });

  it('coalesces bursts: one apply in flight, the latest of the waiting inputs wins', async () => {
    const device = new MemoryAs3();
    const e = engine(device);
    const runs = [1, 2, 3, 4].map((n) => e.submit(input({ A: tenant({ a: app([`10.1.0.${n}`]) }) })));
    const reports = await Promise.all(runs);
    assert.equal(device.posts.length, 2, 'the first input, then only the last one');
    assert.deepEqual(
      reports.map((r) => r.inSync),
      [true, true, true, true],
    );
    const held = device.tenants.get('A') as Record<string, As3Application>;
    assert.deepEqual((held['a']?.['p'] as { members: Array<{ serverAddresses: string[] }> }).members[0]?.serverAddresses, ['10.1.0.4']);
  });

  it('a failing device leaves "last applied" unchanged, so the next apply sends the change again', async () => {
    const device = new MemoryAs3();
    const e = engine(device);
    await e.apply(input({ A: tenant({ a: app(['10.1.0.1']) }) }));
    const original = device.deployApplications.bind(device);
    device.deployApplications = () => Promise.reject(new Error('connection reset'));
    await assert.rejects(e.apply(input({ A: tenant({ a: app(['10.1.0.2']) }) })), /connection reset/);
    device.deployApplications = original;
    const retried = await e.apply(input({ A: tenant({ a: app(['10.1.0.2']) }) }));
    assert.deepEqual([retried.inSync, retried.posts], [true, 1]);
  });
});
