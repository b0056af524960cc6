/**
 * Validation of emitted declarations in tests: against the project's own strict schema
 * (as3-schemas/, always present) and against the official AS3 3.56 schema, which is not part of
 * the project and is read from ../shared/as3-schemas (CI always has it; AS3_SCHEMA_DIR overrides).
 * Each schema is compiled once per test run.
 */
import assert from 'node:assert/strict';
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

/**
 * Errors from the official AS3 schema, '' when valid; undefined when the schema is not available.
 * Tests assert with assertOfficialSchemaValid instead, which skips visibly rather than passing.
 */
export function officialSchemaErrors(declaration: unknown): string | undefined {
  return compileOfficialSchema()?.(declaration);
}

/** Errors from the project's own strict schema of what kube-as3 emits, '' when valid. */
export function projectSchemaErrors(declaration: unknown): string {
  return projectValidator()(declaration);
}

/** A minimal declaration holding AS3 objects of one application: tenant `T`, application `A`. */
export function applicationDeclaration(objects: Record<string, unknown>): unknown {
  return {
    class: 'AS3',
    action: 'deploy',
    persist: true,
    declaration: {
      class: 'ADC',
      schemaVersion: '3.56.0',
      id: 'x',
      T: { class: 'Tenant', A: { class: 'Application', template: 'generic', ...objects } },
    },
  };
}

/**
 * In a mocha test written as `function () {}` (for `this`): skips the test when the official AS3
 * schema is not available, visibly — it is reported as pending, its title saying why — instead of
 * letting it pass without having checked anything. A check that needs the official schema is
 * therefore a test case of its own, so the other checks of the same subject still run.
 */
export function skipWithoutOfficialSchema(test: Mocha.Context): void {
  if (officialSchemaAvailable()) return;
  if (test.test) test.test.title += ` (skipped: no official AS3 schema at ${officialSchemaPath})`;
  test.skip();
}

/** Asserts the declaration is valid against the official AS3 schema; skips the test visibly when the schema is absent. */
export function assertOfficialSchemaValid(test: Mocha.Context, declaration: unknown, message?: string): void {
  skipWithoutOfficialSchema(test);
  assert.equal(officialSchemaErrors(declaration), '', message);
}

/** assertOfficialSchemaValid for AS3 objects of one application (unit tests check fragments this way). */
export function assertOfficialApplicationValid(test: Mocha.Context, objects: Record<string, unknown>, message?: string): void {
  assertOfficialSchemaValid(test, applicationDeclaration(objects), message);
}
