/**
 * Validation of emitted declarations in tests: against the project's own strict schema
 * (as3-schemas/, always present) and against the official AS3 3.56 schema, which is not part of
 * the project and is read from ../shared/as3-schemas (CI always has it; AS3_SCHEMA_DIR overrides).
 * Each schema is compiled once per test run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { officialValidator, projectValidator } from '../../src/adapters/schema-validator.js';
import type { DeclarationValidator } from '../../src/apply/declaration-validator.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const officialSchemaDir = process.env['AS3_SCHEMA_DIR'] ?? join(repoRoot, '..', 'shared', 'as3-schemas');
export const officialSchemaPath = join(officialSchemaDir, 'as3-schema.json');

export function officialSchemaAvailable(): boolean {
  return existsSync(officialSchemaPath);
}

let official: DeclarationValidator | undefined;

/**
 * Compiles the official schema's validator now, if the schema is available (once per process).
 * It takes seconds, many more on a busy machine: the root hooks call this before any test, so no
 * test (nor a fake BIG-IP request) pays for it within its own timeout.
 */
export function compileOfficialSchema(): DeclarationValidator | undefined {
  if (!officialSchemaAvailable()) return undefined;
  official ??= officialValidator(readFileSync(officialSchemaPath, 'utf8'));
  return official;
}

/** Errors from the official AS3 schema, '' when valid; undefined when the schema is not available. */
export function officialSchemaErrors(declaration: unknown): string | undefined {
  return compileOfficialSchema()?.(declaration);
}

/** Errors from the project's own strict schema of what kube-as3 emits, '' when valid. */
export function projectSchemaErrors(declaration: unknown): string {
  return projectValidator()(declaration);
}

/**
 * Official-schema errors for AS3 objects of one application (unit tests check fragments this
 * way): the objects are wrapped in tenant `T`, application `A` of a minimal declaration.
 */
export function officialApplicationErrors(objects: Record<string, unknown>): string | undefined {
  return officialSchemaErrors({
    class: 'AS3', action: 'deploy', persist: true,
    declaration: { class: 'ADC', schemaVersion: '3.56.0', id: 'x', T: { class: 'Tenant', A: { class: 'Application', template: 'generic', ...objects } } },
  });
}
