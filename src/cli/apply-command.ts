/**
 * `kube-as3 apply` (docs/cli.md): plan, compare with what the BIG-IP holds, post only the changed
 * tenants (or applications), wait for AS3, and report. Exit 0 only when the device holds the
 * whole desired state; 2 when some resources could not be translated or applied (each named on
 * stderr, the rest is applied); 1 when the BIG-IP could not be used at all.
 */
import { describeCarryOver } from '../apply/carry-over.js';
import { describeLastGood, desiredAgainstDevice, keptAddresses } from '../apply/last-good.js';
import type { LastGood } from '../apply/last-good.js';
import { describeTenantChange } from '../apply/describe-diff.js';
import { ApplyEngine } from '../apply/engine.js';
import type { ApplyProblem, ApplyReport } from '../apply/engine.js';
import { BigipError } from '../bigip/as3-api.js';
import { describeRef } from '../kube/refs.js';
import { formatDiagnostic } from '../kube/diagnostic.js';
import type { As3Tenant } from '../model/as3-types.js';
import { bigipErrorText, connectBigip } from './bigip-connection.js';
import type { BigipFlags } from './bigip-connection.js';
import type { CliIo } from './io.js';
import { EXIT_FATAL } from './io.js';
import { applyResult } from './apply-result.js';
import { planInputs, withRecordedLastGood } from './plan-command.js';
import { validatorsWith } from './schema-check.js';
import type { PlannedInputs } from './plan-command.js';

export interface ApplyOptions extends BigipFlags {
  filename?: string[];
  cluster?: string[];
  config?: string;
  ipamState?: string;
  /** Confirms that inputs without any resource should delete every tenant this instance owns. */
  allowDeleteAll?: boolean;
}

/**
 * Input that must not reach the BIG-IP: a file that could not be read or parsed would make its
 * resources look deleted (docs/reference/README.md: nothing is deleted because of a transient failure), and inputs
 * without any resource would delete every tenant unless that is confirmed.
 */
function refusal(planned: PlannedInputs, owned: ReadonlyMap<string, As3Tenant>, options: ApplyOptions): string | undefined {
  const broken = planned.problems.filter((d) => d.ref.kind === 'File' && d.severity === 'error').map((d) => d.ref.name);
  if (broken.length > 0) {
    return `nothing was applied: ${broken.join(', ')} could not be used, and applying without ${broken.length === 1 ? 'it' : 'them'} would delete what ${broken.length === 1 ? 'it describes' : 'they describe'}; fix the input and run again`;
  }
  if (planned.plan.tenants.size === 0 && owned.size > 0 && !options.allowDeleteAll) {
    return `nothing was applied: the inputs hold no resource, so apply would delete every tenant of this instance (${[...owned.keys()].join(', ')}); pass --allow-delete-all if that is intended`;
  }
  return undefined;
}

/** `Kind ns/name: message` per resource of the problem (the tenant when no resource is known). */
function problemLines(problem: ApplyProblem): string[] {
  const where = problem.application ? `application ${problem.tenant}/${problem.application}` : `tenant ${problem.tenant}`;
  if (problem.sources.length === 0) return [`${where}: ${problem.message}`];
  return problem.sources.map((ref) => `${describeRef(ref)}: ${where}: ${problem.message}`);
}

/** The readable diff of what this run set out to change (empty when nothing changed). */
function changesText(report: ApplyReport, before: ReadonlyMap<string, As3Tenant>, desired: ReadonlyMap<string, As3Tenant>): string {
  if (report.changes.length === 0) return '';
  return `${report.changes.map((c) => describeTenantChange(c, before.get(c.tenant), desired.get(c.tenant))).join('\n\n')}\n\n`;
}

/**
 * The plan's tenants, keeping what the BIG-IP has from clusters that cannot be read (carry-over.ts)
 * and the last good version of invalid resources (last-good.ts).
 */
function desiredKeeping(
  planned: PlannedInputs,
  before: ReadonlyMap<string, As3Tenant>,
  io: CliIo,
): { tenants: ReadonlyMap<string, As3Tenant>; lastGood: LastGood } {
  const device = desiredAgainstDevice(planned.plan, before, planned.unreadableClusters);
  const kept = describeCarryOver(device.carried, planned.unreadableClusters);
  if (kept) io.stderr(`kube-as3: ${kept}\n`);
  return { tenants: device.tenants, lastGood: device.lastGood };
}

/**
 * The BIG-IP no longer uses the addresses of keys nothing asks for: only now are they free (those
 * a kept last good version still serves stay taken).
 */
async function releaseAddresses(planned: PlannedInputs, lastGood: LastGood, options: ApplyOptions, io: CliIo): Promise<void> {
  if (!planned.ipam) return;
  const saved = await planned.ipam.store.save(planned.planner.releaseUnusedAddresses(keptAddresses(lastGood)), planned.ipam.version);
  if (!saved.ok)
    io.stderr(
      `kube-as3: --ipam-state ${options.ipamState ?? ''} changed during apply; unused addresses stay reserved until the next apply\n`,
    );
}

export async function runApply(options: ApplyOptions, io: CliIo): Promise<number> {
  const initial = await planInputs(options, io);
  if (!initial) return EXIT_FATAL;
  let planned = initial;
  const { config } = planned;
  const validators = validatorsWith(planned.official);
  const client = await connectBigip(options, config, io);
  if (!client) return EXIT_FATAL;
  const engine = new ApplyEngine({ api: client, instance: config.as3.instance, schemaVersion: config.as3.schemaVersion, validators });
  let report: ApplyReport;
  let before: Map<string, As3Tenant>;
  let desired: ReadonlyMap<string, As3Tenant>;
  let lastGood: LastGood;
  try {
    await engine.connect();
    before = new Map(engine.appliedTenants);
    planned = withRecordedLastGood(planned, before);
    const refused = refusal(planned, before, options);
    if (refused) {
      for (const d of planned.problems) io.stderr(`${formatDiagnostic(d)}\n`);
      io.stderr(`error: ${refused}\n`);
      return EXIT_FATAL;
    }
    const keeping = desiredKeeping(planned, before, io);
    desired = keeping.tenants;
    lastGood = keeping.lastGood;
    report = await engine.apply({ tenants: desired, sourcesOf: (t, a) => planned.plan.sourcesOf(t, a) });
  } catch (err) {
    if (!(err instanceof BigipError)) throw err;
    for (const d of planned.problems) io.stderr(`${formatDiagnostic(d)}\n`);
    io.stderr(
      `error: ${bigipErrorText(options.bigipUrl ?? config.bigip.url, err)}; what was not confirmed will be sent again by the next apply\n`,
    );
    return EXIT_FATAL;
  }
  const result = applyResult(report, planned.problems);
  io.stdout(changesText(report, before, desired));
  if (report.inSync) await releaseAddresses(planned, lastGood, options, io);
  for (const d of planned.problems) io.stderr(`${formatDiagnostic(d)}\n`);
  for (const line of describeLastGood(lastGood)) io.stderr(`${line}\n`);
  for (const p of report.problems) for (const line of problemLines(p)) io.stderr(`${line}\n`);
  // Last, after the problems: what was applied and what was withheld, as the exit code says.
  io.stdout(`${result.line}\n`);
  return result.code;
}
