/**
 * `kube-as3 diff` (docs/cli.md): what `apply` would change, per tenant and application, against a
 * saved declaration (`--against FILE`) or a BIG-IP (`--bigip-url URL`). Only tenants carrying this
 * instance's ownership marker are compared; a desired tenant that exists without it is reported
 * as a problem of the resources asking for it, as `apply` would.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { describeCarryOver } from '../apply/carry-over.js';
import { describeLastGood, desiredAgainstDevice } from '../apply/last-good.js';
import { describeTenantChange } from '../apply/describe-diff.js';
import { foreignTenantMessage, splitOwnership } from '../apply/ownership.js';
import { diffTenants, tenantPatch } from '../apply/tenant-diff.js';
import { BigipError } from '../bigip/as3-api.js';
import { redactPatch } from '../lib/redact.js';
import { diagnostic, formatDiagnostic } from '../kube/diagnostic.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import type { As3Adc, As3Tenant } from '../model/as3-types.js';
import { bigipErrorText, connectBigip } from './bigip-connection.js';
import type { BigipFlags } from './bigip-connection.js';
import type { CliIo } from './io.js';
import { EXIT_FATAL, EXIT_OK, EXIT_REJECTED } from './io.js';
import { planInputs, withRecordedLastGood } from './plan-command.js';
import { schemaChecked } from './schema-check.js';
import type { PlannedInputs } from './plan-command.js';

export interface DiffOptions extends BigipFlags {
  filename?: string[];
  cluster?: string[];
  config?: string;
  ipamState?: string;
  against?: string;
  output: string;
}

/** An AS3 request (`class: AS3`) or a bare ADC declaration, from JSON or YAML. */
export function adcOf(document: unknown): As3Adc | undefined {
  if (typeof document !== 'object' || document === null) return undefined;
  const d = document as Record<string, unknown>;
  if (d['class'] === 'ADC') return d as As3Adc;
  if (d['class'] === 'AS3' && typeof d['declaration'] === 'object' && d['declaration'] !== null) return adcOf(d['declaration']);
  return undefined;
}

async function readAgainst(path: string, io: CliIo): Promise<As3Adc | undefined | false> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    io.stderr(`error: --against ${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return false;
  }
  if (text.trim() === '') return undefined;
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    io.stderr(`error: --against ${path}: not JSON or YAML: ${(err as Error).message}\n`);
    return false;
  }
  const adc = adcOf(document);
  if (!adc) io.stderr(`error: --against ${path}: not an AS3 declaration (class AS3 or ADC)\n`);
  return adc ?? false;
}

/** The declaration to compare with, or false after printing why there is none. */
async function currentOf(options: DiffOptions, planned: PlannedInputs, io: CliIo): Promise<As3Adc | undefined | false> {
  if (options.against !== undefined && options.bigipUrl !== undefined) {
    io.stderr('error: give either --against FILE or --bigip-url URL, not both\n');
    return false;
  }
  if (options.against !== undefined) return readAgainst(options.against, io);
  const client = await connectBigip(options, planned.config, io);
  if (!client) return false;
  try {
    return await client.currentDeclaration();
  } catch (err) {
    if (!(err instanceof BigipError)) throw err;
    io.stderr(`error: ${bigipErrorText(options.bigipUrl ?? planned.config.bigip.url, err)}\n`);
    return false;
  }
}

export async function runDiff(options: DiffOptions, io: CliIo): Promise<number> {
  if (options.output !== 'text' && options.output !== 'json') {
    io.stderr(`error: -o must be text or json, not "${options.output}"\n`);
    return EXIT_FATAL;
  }
  if (options.against === undefined && options.bigipUrl === undefined) {
    io.stderr('error: give what to compare with: --against FILE (a saved AS3 declaration) or --bigip-url URL\n');
    return EXIT_FATAL;
  }
  const initial = await planInputs(options, io);
  if (!initial) return EXIT_FATAL;
  const current = await currentOf(options, initial, io);
  if (current === false) return EXIT_FATAL;
  const instance = initial.config.as3.instance;
  const { ours, foreign } = splitOwnership(current, instance);
  const planned = withRecordedLastGood(initial, ours);
  const problems: Diagnostic[] = [...planned.problems];
  let desired = new Map<string, As3Tenant>();
  for (const [name, tenant] of planned.plan.tenants) {
    if (!foreign.has(name)) {
      desired.set(name, tenant);
      continue;
    }
    for (const app of Object.keys(tenant)) {
      for (const ref of planned.plan.sourcesOf(name, app)) problems.push(diagnostic(ref, 'error', foreignTenantMessage(name, instance)));
    }
  }
  const device = desiredAgainstDevice(
    { tenants: desired, invalid: planned.plan.invalid, kept: planned.plan.kept },
    ours,
    planned.unreadableClusters,
  );
  const kept = describeCarryOver(device.carried, planned.unreadableClusters);
  if (kept) io.stderr(`kube-as3: ${kept}\n`);
  for (const line of describeLastGood(device.lastGood)) io.stderr(`${line}\n`);
  desired = device.tenants;
  if (planned.official) {
    const checked = schemaChecked(desired, ours, planned.config, planned.official, (t, a) => planned.plan.sourcesOf(t, a));
    desired = checked.tenants;
    problems.push(...checked.problems);
  }
  const changes = diffTenants(ours, desired);
  if (options.output === 'json') {
    const patches: Record<string, unknown> = {};
    // The patches are for review: secret values are fingerprint markers, as in the text diff.
    for (const c of changes) patches[c.tenant] = redactPatch(tenantPatch(c, ours.get(c.tenant), desired.get(c.tenant)));
    io.stdout(`${JSON.stringify(patches, null, 2)}\n`);
  } else if (changes.length === 0) {
    io.stdout('No changes: the BIG-IP holds the desired state.\n');
  } else {
    const text = changes.map((c) => describeTenantChange(c, ours.get(c.tenant), desired.get(c.tenant))).join('\n\n');
    io.stdout(`${text}\n\n${changes.length} tenant(s) would change: ${changes.map((c) => `${c.tenant} (${c.kind})`).join(', ')}\n`);
  }
  for (const d of problems) io.stderr(`${formatDiagnostic(d)}\n`);
  return problems.some((d) => d.severity === 'error') ? EXIT_REJECTED : EXIT_OK;
}
