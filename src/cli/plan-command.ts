import { readFile } from 'node:fs/promises';
import type { Config } from '../config/config.js';
import { defaultConfig, parseConfig } from '../config/parse-config.js';
import { loadClusterInputs } from './cluster-inputs.js';
import type { ClusterInputOptions } from './cluster-inputs.js';
import { namingMisspeltSiblings } from '../kube/misspelt-required.js';
import { formatDiagnostic } from '../kube/diagnostic.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import { FileIpamStore } from '../adapters/ipam-file-store.js';
import type { VersionedIpamState } from '../ipam/store.js';
import { Planner } from '../plan/planner.js';
import type { Plan } from '../plan/plan.js';
import type { CliIo } from './io.js';
import { EXIT_FATAL, EXIT_OK, EXIT_REJECTED } from './io.js';
import { renderSummary } from './summary.js';
import type { DeclarationValidator } from '../apply/declaration-validator.js';
import { buildDeclaration } from '../translate/declaration.js';
import type { As3Tenant } from '../model/as3-types.js';
import { notKept, recordedLastGood } from '../apply/last-good.js';

export interface PlanOptions {
  filename?: string[];
  cluster?: string[];
  config?: string;
  ipamState?: string;
  output: string;
}

export async function loadConfigFile(path: string | undefined, io: CliIo): Promise<Config | undefined> {
  if (path === undefined) return defaultConfig();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    io.stderr(`config ${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return undefined;
  }
  const result = parseConfig(text);
  if (result.errors) {
    io.stderr(`config ${path} is invalid:\n${result.errors.map((e) => `  ${e}`).join('\n')}\n`);
    return undefined;
  }
  for (const warning of result.warnings) io.stderr(`config ${path}: warning: ${warning}\n`);
  return result.config;
}

export interface PlannedInputs {
  config: Config;
  planner: Planner;
  plan: Plan;
  /** The `--ipam-state` file and the version the plan started from (apply saves releases to it). */
  ipam?: { store: FileIpamStore; version: string | undefined };
  /** Problems of the input files, the inventory and the plan, in print order. */
  problems: Diagnostic[];
  /** Clusters that could not be read: diff and apply keep what the BIG-IP has from them. */
  unreadableClusters: string[];
  /** The official AS3 schema of `as3.schemaFile`, when the config names one (schema-check.ts). */
  official?: DeclarationValidator;
  /** Plans the same inputs again (after `planner.seedLastGood`), with the problems to print. */
  replan(): { plan: Plan; problems: Diagnostic[] };
}

/**
 * diff and apply, once they read the device: invalid resources the plan could not keep are
 * planned from the last good version the BIG-IP recorded for them, when it did (apply/last-good.ts).
 */
export function withRecordedLastGood(planned: PlannedInputs, current: ReadonlyMap<string, As3Tenant>): PlannedInputs {
  if (!planned.planner.seedLastGood(recordedLastGood(current, notKept(planned.plan)))) return planned;
  return { ...planned, ...planned.replan() };
}

/**
 * The steps `plan`, `diff` and `apply` share: read the config and the input files, and plan. Usage
 * problems are printed and give undefined (exit 1).
 */
export async function planInputs(options: ClusterInputOptions & { ipamState?: string }, io: CliIo): Promise<PlannedInputs | undefined> {
  const fileConfig = await loadConfigFile(options.config, io);
  if (!fileConfig) return undefined;
  // Ajv and the AS3 schema only when the config names one (schema-check.ts imports them).
  const official =
    fileConfig.as3.schemaFile === undefined
      ? undefined
      : await (await import('./schema-check.js')).officialValidatorOf(fileConfig, options.config, io);
  if (official === false) return undefined;
  const inputs = await loadClusterInputs(options, fileConfig, io);
  if (!inputs) return undefined;
  const { config } = inputs;
  const store = options.ipamState === undefined ? undefined : new FileIpamStore(options.ipamState);
  let loaded: VersionedIpamState | undefined;
  try {
    loaded = await store?.load();
  } catch (err) {
    io.stderr(`error: --ipam-state: ${(err as Error).message}\n`);
    return undefined;
  }
  const planner = new Planner(config, loaded ? { ipamState: loaded.state } : {});
  const plan = planner.plan(inputs.input);
  let version = loaded?.version;
  if (store && plan.ipam?.changed) {
    // New allocations are kept at once, so the next plan or apply gives the same addresses.
    const saved = await store.save(plan.ipam.state, version);
    if (!saved.ok) {
      io.stderr(`error: --ipam-state ${options.ipamState}: the file changed while planning (another kube-as3 run?); run again\n`);
      return undefined;
    }
    version = saved.version;
  }
  const problems = namingMisspeltSiblings([...inputs.problems, ...plan.diagnostics]);
  const replan = (): { plan: Plan; problems: Diagnostic[] } => {
    const again = planner.plan(inputs.input);
    return { plan: again, problems: namingMisspeltSiblings([...inputs.problems, ...again.diagnostics]) };
  };
  return {
    config,
    planner,
    plan,
    problems,
    unreadableClusters: inputs.unreadable,
    replan,
    ...(store ? { ipam: { store, version } } : {}),
    ...(official ? { official } : {}),
  };
}

/** `kube-as3 plan`: offline inputs → AS3 declaration (docs/cli.md). */
export async function runPlan(options: PlanOptions, io: CliIo): Promise<number> {
  if (options.output !== 'json' && options.output !== 'summary') {
    io.stderr(`error: -o must be json or summary, not "${options.output}"\n`);
    return EXIT_FATAL;
  }
  const planned = await planInputs(options, io);
  if (!planned) return EXIT_FATAL;
  const { plan, config } = planned;
  let { problems } = planned;
  let declaration = plan.declaration;
  if (planned.official) {
    // What apply would withhold is left out, as apply leaves it off the BIG-IP.
    const { schemaChecked } = await import('./schema-check.js');
    const checked = schemaChecked(plan.tenants, new Map(), config, planned.official, (t, a) => plan.sourcesOf(t, a));
    if (checked.problems.length > 0) {
      declaration = buildDeclaration(checked.tenants, { schemaVersion: config.as3.schemaVersion, instance: config.as3.instance });
      problems = [...problems, ...checked.problems];
    }
  }
  if (options.output === 'summary') io.stdout(renderSummary(plan, problems));
  else io.stdout(`${JSON.stringify(declaration, null, 2)}\n`);
  for (const d of problems) io.stderr(`${formatDiagnostic(d)}\n`);
  return problems.some((d) => d.severity === 'error') ? EXIT_REJECTED : EXIT_OK;
}
