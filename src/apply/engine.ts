/**
 * The apply engine (docs/reference/README.md–7): keeps a BIG-IP's AS3 tenants equal to the desired ones with the
 * smallest posts that do it, and isolates bad input so it never blocks the rest.
 *
 * - Read-back first: the device's declaration says which tenants are ours (ownership marker) and
 *   what they hold; tenants without our marker are never touched, and resources that ask for
 *   such a partition get an error.
 * - Only changed tenants are posted; when one tenant changed by adding or updating applications
 *   and the device supports it, only those applications (AS3 per-application endpoint).
 * - "Last applied" is recorded per tenant only when AS3 confirms it.
 * - A failed tenant (422, or failed in a 207) keeps its previous state on the device (AS3 rolls it
 *   back). The engine then finds the applications AS3 refuses by bisection (posting halves of the
 *   tenant's changes on top of what the device holds), withholds only those with AS3's own
 *   message, and applies everything else. Applications that fail local schema validation are
 *   withheld before anything is posted.
 * - Tenants this instance owns that no resource needs any more are deleted (an empty tenant).
 *   The caller must pass a complete desired state: a tenant missing from it is deleted.
 */
import type { ObjectRef } from '../kube/refs.js';
import { compareVersions } from '../lib/version.js';
import type { As3Api, As3Info, DeployOutcome } from '../bigip/as3-api.js';
import type { As3Application, As3Declaration, As3Tenant } from '../model/as3-types.js';
import { SHARED_APPLICATION, buildDeclaration } from '../translate/declaration.js';
import { Coalescer } from './coalescer.js';
import { locallyValidTenant } from './local-validation.js';
import { deletionTenant, foreignTenantMessage, splitOwnership } from './ownership.js';
import type { DeclarationValidator } from './declaration-validator.js';
import { applicationsOf, diffTenants } from './tenant-diff.js';
import type { TenantChange } from './tenant-diff.js';

export interface ApplyInput {
  /** Every desired tenant (a plan's `tenants`): tenants we own that are missing are deleted. */
  tenants: ReadonlyMap<string, As3Tenant>;
  /** The resources an application was made from, to name them in problems. */
  sourcesOf(tenant: string, application: string): ObjectRef[];
  /** Told how long local validation and the posts (task waits included) took, in ms. */
  timing?: (phase: 'validate' | 'post', ms: number) => void;
}

/** Something the device does not hold as desired, and why (AS3's text when AS3 refused it). */
export interface ApplyProblem {
  tenant: string;
  /** Absent when the problem concerns the whole tenant (a foreign partition, a failed deletion). */
  application?: string;
  message: string;
  sources: ObjectRef[];
}

export interface ApplyReport {
  /** The tenant changes this run set out to make. */
  changes: TenantChange[];
  /** Tenants that now hold exactly what was desired for them (deleted ones included). */
  applied: string[];
  problems: ApplyProblem[];
  /** Write requests sent to the device. */
  posts: number;
  /** The device holds the whole desired state. */
  inSync: boolean;
}

export type ApplyEvent =
  | { type: 'post'; endpoint: 'tenants' | 'applications'; tenants: string[]; status: DeployOutcome['status']; ms: number }
  | { type: 'tenant'; tenant: string; result: 'applied' | 'failed' }
  | { type: 'withheld'; tenant: string; application?: string; message: string };

export interface ApplyEngineOptions {
  api: As3Api;
  /** Controller instance: the ownership marker's remark names it. */
  instance: string;
  /** The `schemaVersion` kube-as3 writes; lowered to the device's `schemaCurrent` when higher. */
  schemaVersion: string;
  /** Local checks of each changed application before posting (project schema, official schema). */
  validators?: DeclarationValidator[];
  /** Use AS3's per-application endpoint when the device has it (default true). */
  perApplication?: boolean;
  onEvent?: (event: ApplyEvent) => void;
  now?: () => number;
}

type AppChange = [name: string, app: As3Application | undefined];

/** The tenant `base` with `changes` applied (an undefined app is removed) and the desired properties. */
function withChanges(base: As3Tenant | undefined, changes: AppChange[], properties: As3Tenant): As3Tenant {
  const out: As3Tenant = { ...(base ?? {}), class: 'Tenant' };
  for (const key of ['label', 'remark']) if (properties[key] !== undefined) out[key] = properties[key];
  for (const [name, app] of changes) {
    if (app === undefined) delete out[name];
    else out[name] = app;
  }
  return out;
}

function errorOf(outcome: DeployOutcome, tenant: string): string {
  const own = outcome.results.find((r) => r.tenant === tenant && r.code !== 200);
  return (
    own?.error ??
    (outcome.errors.length > 0 ? outcome.errors.join('; ') : `AS3 answered ${outcome.httpStatus} (${own?.message ?? 'declaration failed'})`)
  );
}

function tenantSucceeded(outcome: DeployOutcome, tenant: string): boolean {
  if (outcome.status === 'ok') return true;
  if (outcome.status === 'rejected') return false;
  const result = outcome.results.find((r) => r.tenant === tenant);
  return result !== undefined && result.code === 200;
}

export class ApplyEngine {
  private readonly applied = new Map<string, As3Tenant>();
  private readonly foreign = new Set<string>();
  private info: As3Info | undefined;
  private readonly coalescer = new Coalescer<ApplyInput, ApplyReport>((input) => this.apply(input));
  private posts = 0;

  constructor(private readonly options: ApplyEngineOptions) {}

  /** Reads the device's AS3 version and declaration: which tenants are ours, what they hold. */
  async connect(): Promise<As3Info> {
    const info = await this.options.api.info();
    const current = await this.options.api.currentDeclaration();
    const { ours, foreign } = splitOwnership(current, this.options.instance);
    this.applied.clear();
    this.foreign.clear();
    for (const [name, tenant] of ours) this.applied.set(name, tenant);
    for (const name of foreign) this.foreign.add(name);
    this.info = info;
    return info;
  }

  /** Tenants as this engine believes the device holds them (ours only). */
  get appliedTenants(): ReadonlyMap<string, As3Tenant> {
    return this.applied;
  }

  /** One apply at a time; while one runs, the latest submitted input waits (older ones are dropped). */
  submit(input: ApplyInput): Promise<ApplyReport> {
    return this.coalescer.submit(input);
  }

  /** Brings the device to `input` (use `submit` when calls may overlap). */
  async apply(input: ApplyInput): Promise<ApplyReport> {
    const info = this.info ?? (await this.connect());
    const version = compareVersions(this.options.schemaVersion, info.schemaCurrent) > 0 ? info.schemaCurrent : this.options.schemaVersion;
    const problems: ApplyProblem[] = [];
    const desired = new Map<string, As3Tenant>();
    const clock = (): number => performance.now();
    let started = clock();
    for (const [name, tenant] of input.tenants) {
      if (this.foreign.has(name)) {
        this.refuseForeign(name, tenant, input, problems);
        continue;
      }
      desired.set(name, this.locallyValid(name, tenant, version, input, problems));
    }
    input.timing?.('validate', clock() - started);
    const changes = diffTenants(this.applied, desired);
    const postsBefore = this.posts;
    const applied: string[] = [];
    started = clock();
    if (changes.length > 0) await this.deploy(changes, desired, version, { input, problems, applied });
    input.timing?.('post', clock() - started);
    const inSync = problems.length === 0 && changes.every((c) => applied.includes(c.tenant));
    return { changes, applied, problems, posts: this.posts - postsBefore, inSync };
  }

  private refuseForeign(name: string, tenant: As3Tenant, input: ApplyInput, problems: ApplyProblem[]): void {
    const message = foreignTenantMessage(name, this.options.instance);
    const apps = [...applicationsOf(tenant).keys()];
    for (const application of apps) problems.push({ tenant: name, application, message, sources: input.sourcesOf(name, application) });
    this.emit({ type: 'withheld', tenant: name, message });
  }

  /**
   * The tenant with every changed application that fails a local validator replaced by what the
   * device holds (or left out when it is new), each with a problem.
   */
  private locallyValid(name: string, tenant: As3Tenant, version: string, input: ApplyInput, problems: ApplyProblem[]): As3Tenant {
    const check = { validators: this.options.validators ?? [], instance: this.options.instance, schemaVersion: version };
    const result = locallyValidTenant(name, tenant, this.applied.get(name), check);
    for (const { application, error } of result.withheld) {
      const message = `the application failed validation before posting, so it was not sent: ${error}`;
      problems.push({ tenant: name, application, message, sources: input.sourcesOf(name, application) });
      this.emit({ type: 'withheld', tenant: name, application, message });
    }
    return result.tenant;
  }

  private declarationOf(tenants: Map<string, As3Tenant>, version: string): As3Declaration {
    return buildDeclaration(tenants, { schemaVersion: version, instance: this.options.instance });
  }

  private emit(event: ApplyEvent): void {
    this.options.onEvent?.(event);
  }

  private desiredOf(change: TenantChange, desired: Map<string, As3Tenant>): As3Tenant {
    return change.kind === 'delete' ? deletionTenant(this.options.instance) : (desired.get(change.tenant) as As3Tenant);
  }

  /** One post of whole tenants (a `delete` change posts the empty tenant). */
  private async postTenants(tenants: Map<string, As3Tenant>, version: string): Promise<DeployOutcome> {
    const names = [...tenants.keys()];
    const started = (this.options.now ?? Date.now)();
    this.posts++;
    const outcome = await this.options.api.deployTenants(names, this.declarationOf(tenants, version));
    this.emit({
      type: 'post',
      endpoint: 'tenants',
      tenants: names,
      status: outcome.status,
      ms: (this.options.now ?? Date.now)() - started,
    });
    return outcome;
  }

  /** The per-application endpoint fits: one tenant we hold, only applications added or changed. */
  private perApplicationChange(changes: TenantChange[]): TenantChange | undefined {
    if (this.options.perApplication === false || !this.info?.perApplication || changes.length !== 1) return undefined;
    const [change] = changes as [TenantChange];
    // The Shared application (Service_Address objects other applications point at) goes with its tenant.
    const shared = change.added.includes(SHARED_APPLICATION) || change.changed.includes(SHARED_APPLICATION);
    return change.kind === 'update' && change.removed.length === 0 && !change.propertiesChanged && !shared ? change : undefined;
  }

  private async deploy(changes: TenantChange[], desired: Map<string, As3Tenant>, version: string, run: Run): Promise<void> {
    const perApp = this.perApplicationChange(changes);
    let outcome: DeployOutcome;
    if (perApp) {
      const tenant = desired.get(perApp.tenant) as As3Tenant;
      const body: Record<string, As3Application> = {};
      for (const name of [...perApp.added, ...perApp.changed]) body[name] = tenant[name] as As3Application;
      const started = (this.options.now ?? Date.now)();
      this.posts++;
      outcome = await this.options.api.deployApplications(perApp.tenant, version, body);
      this.emit({
        type: 'post',
        endpoint: 'applications',
        tenants: [perApp.tenant],
        status: outcome.status,
        ms: (this.options.now ?? Date.now)() - started,
      });
    } else {
      outcome = await this.postTenants(new Map(changes.map((c) => [c.tenant, this.desiredOf(c, desired)])), version);
    }
    const failed: TenantChange[] = [];
    for (const change of changes) {
      if (tenantSucceeded(outcome, change.tenant)) this.record(change, desired, run);
      else failed.push(change);
    }
    // A tenant's own result (207), or a request of that tenant alone, says why it failed; a 422 for
    // several tenants (or a per-application post) may be about another one, so it is re-posted alone.
    const ownError = outcome.status === 'partial' || (changes.length === 1 && !perApp);
    for (const change of failed) {
      await this.isolate(change, desired, version, run, ownError ? errorOf(outcome, change.tenant) : undefined);
    }
  }

  private record(change: TenantChange, desired: Map<string, As3Tenant>, run: Run): void {
    if (change.kind === 'delete') this.applied.delete(change.tenant);
    else this.applied.set(change.tenant, desired.get(change.tenant) as As3Tenant);
    run.applied.push(change.tenant);
    this.emit({ type: 'tenant', tenant: change.tenant, result: 'applied' });
  }

  /**
   * A tenant AS3 refused: `error` is AS3's text when the tenant's whole change was already posted
   * alone; otherwise it is posted alone first. Then its changes are bisected.
   */
  private async isolate(
    change: TenantChange,
    desired: Map<string, As3Tenant>,
    version: string,
    run: Run,
    error: string | undefined,
  ): Promise<void> {
    const target = this.desiredOf(change, desired);
    if (error === undefined) {
      const outcome = await this.postTenants(new Map([[change.tenant, target]]), version);
      if (tenantSucceeded(outcome, change.tenant)) return this.record(change, desired, run);
      error = errorOf(outcome, change.tenant);
    }
    this.emit({ type: 'tenant', tenant: change.tenant, result: 'failed' });
    if (change.kind === 'delete') {
      run.problems.push({
        tenant: change.tenant,
        message: `the tenant is no longer needed but AS3 refused to delete it: ${error}`,
        sources: [],
      });
      return;
    }
    const apps = applicationsOf(target);
    const items: AppChange[] = [...change.added, ...change.changed, ...change.removed].sort().map((name) => [name, apps.get(name)]);
    const base = await this.bisect({ tenant: change.tenant, target, version, run }, this.applied.get(change.tenant), items, error);
    if (base !== undefined) this.applied.set(change.tenant, base);
  }

  /**
   * Finds the refused changes among `items` (which failed together with `error`): each half is
   * posted on top of what the device holds; a half that succeeds stays, a half that fails is split
   * again, down to single applications, which are withheld with AS3's message. Returns what the
   * device holds afterwards.
   */
  private async bisect(ctx: BisectContext, base: As3Tenant | undefined, items: AppChange[], error: string): Promise<As3Tenant | undefined> {
    if (items.length === 0) return base;
    if (items.length === 1) {
      const [application] = items[0] as AppChange;
      const message = `AS3 refused the application: ${error}`;
      ctx.run.problems.push({ tenant: ctx.tenant, application, message, sources: ctx.run.input.sourcesOf(ctx.tenant, application) });
      this.emit({ type: 'withheld', tenant: ctx.tenant, application, message });
      return base;
    }
    const middle = Math.ceil(items.length / 2);
    let current = base;
    for (const half of [items.slice(0, middle), items.slice(middle)]) {
      const candidate = withChanges(current, half, ctx.target);
      const outcome = await this.postTenants(new Map([[ctx.tenant, candidate]]), ctx.version);
      if (tenantSucceeded(outcome, ctx.tenant)) current = candidate;
      else current = await this.bisect(ctx, current, half, errorOf(outcome, ctx.tenant));
    }
    return current;
  }
}

interface Run {
  input: ApplyInput;
  problems: ApplyProblem[];
  applied: string[];
}

interface BisectContext {
  tenant: string;
  /** The desired tenant: its label and remark go into every candidate. */
  target: As3Tenant;
  version: string;
  run: Run;
}
