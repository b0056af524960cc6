/**
 * `as3.schemaFile` in every command: `plan`, `diff`, `apply` and `run` read it the same way (a
 * file that cannot be read or is not the official schema is a config error, exit 1), and check
 * each application against it as `apply` does before posting. `plan` and `diff` show the
 * applications `apply` would withhold as errors on their resources, and leave them out of what
 * they print, as `apply` would leave them off the BIG-IP.
 */
import { readFile } from 'node:fs/promises';
import { locallyValidTenant } from '../apply/local-validation.js';
import { cachedOfficialValidator, defaultCacheDir } from '../adapters/as3-validator-cache.js';
import { officialDeclarationValidator, projectValidator } from '../adapters/schema-validator.js';
import type { DeclarationValidator } from '../apply/declaration-validator.js';
import type { Config } from '../config/config.js';
import type { ObjectRef } from '../kube/refs.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import { diagnostic } from '../kube/diagnostic.js';
import type { As3Tenant } from '../model/as3-types.js';
import type { CliIo } from './io.js';

/**
 * The official AS3 schema `as3.schemaFile` names: undefined when none is named, false after
 * printing why it cannot be used (as a config error of `configPath`). Compiled once per schema
 * file and kept in `as3.schemaCacheDir` (as3-validator-cache.ts); a folder that cannot be written
 * means compiling at every start, with a note saying so.
 */
export async function officialValidatorOf(
  config: Config,
  configPath: string | undefined,
  io: CliIo,
): Promise<DeclarationValidator | undefined | false> {
  const file = config.as3.schemaFile;
  if (file === undefined) return undefined;
  let problem: string;
  try {
    const text = await readFile(file, 'utf8');
    const cached = await cachedOfficialValidator(text, config.as3.schemaCacheDir ?? defaultCacheDir());
    if (!cached.stored && cached.from === 'compiled') {
      io.stderr(
        `note: as3.schemaFile was compiled but not cached (set as3.schemaCacheDir to a writable folder to start faster): ${cached.problem ?? ''}\n`,
      );
    }
    return officialDeclarationValidator(cached.validate);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problem = code !== undefined ? `cannot read ${file} (${code})` : `${file} is not the official AS3 schema: ${(err as Error).message}`;
  }
  io.stderr(`config ${configPath ?? '(none)'} is invalid:\n  as3.schemaFile: ${problem}\n`);
  return false;
}

/** What `apply` and `run` check each changed application with: the project schema, and the official one when configured. */
export function validatorsWith(official: DeclarationValidator | undefined): DeclarationValidator[] {
  return [projectValidator(), ...(official ? [official] : [])];
}

/** The validators of `apply` and `run`; undefined after printing a config error. */
export async function validatorsFor(
  config: Config,
  configPath: string | undefined,
  io: CliIo,
): Promise<DeclarationValidator[] | undefined> {
  const official = await officialValidatorOf(config, configPath, io);
  return official === false ? undefined : validatorsWith(official);
}

export interface SchemaChecked {
  /** The tenants without the applications `apply` would withhold (with `before`'s version instead). */
  tenants: Map<string, As3Tenant>;
  /** One error per withheld application and resource it was made from. */
  problems: Diagnostic[];
}

/**
 * `tenants` as `apply` would send them to a device holding `before`: each changed application
 * that fails a validator is withheld.
 */
export function schemaChecked(
  tenants: ReadonlyMap<string, As3Tenant>,
  before: ReadonlyMap<string, As3Tenant>,
  config: Config,
  official: DeclarationValidator,
  sourcesOf: (tenant: string, application: string) => ObjectRef[],
): SchemaChecked {
  const check = { validators: validatorsWith(official), instance: config.as3.instance, schemaVersion: config.as3.schemaVersion };
  const out = new Map<string, As3Tenant>();
  const problems: Diagnostic[] = [];
  for (const [name, tenant] of tenants) {
    const result = locallyValidTenant(name, tenant, before.get(name), check);
    out.set(name, result.tenant);
    for (const { application, error } of result.withheld) {
      const message = `application ${name}/${application}: fails validation against the AS3 schema, so apply would not send it: ${error}`;
      for (const ref of sourcesOf(name, application)) problems.push(diagnostic(ref, 'error', message));
    }
  }
  return { tenants: out, problems };
}
