/**
 * Validation of emitted declarations in tests: against the project's own strict schema
 * (as3-schemas/, always present) and against the official AS3 3.56 schema, which is not part of
 * the project and is read from ../shared/as3-schemas (CI always has it; AS3_SCHEMA_DIR overrides).
 * Each schema is compiled once per test run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isIPAddress } from '../../src/lib/ip.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const officialSchemaDir = process.env['AS3_SCHEMA_DIR'] ?? join(repoRoot, '..', 'shared', 'as3-schemas');
const officialSchemaPath = join(officialSchemaDir, 'as3-schema.json');

export function officialSchemaAvailable(): boolean {
  return existsSync(officialSchemaPath);
}

/** AS3's `f5ip`: an address with optional %route-domain and /mask; '' means unset. */
function isF5Ip(value: string): boolean {
  if (value === '') return true;
  const m = /^([^/]+?)(?:\/(\d{1,3}))?$/.exec(value);
  if (!m) return false;
  const [, addr = '', mask] = m;
  if (!isIPAddress(addr)) return false;
  if (mask === undefined) return true;
  return Number(mask) <= (addr.includes(':') ? 128 : 32);
}

function isF5Bigip(value: string): boolean {
  // eslint-disable-next-line no-control-regex -- AS3 forbids control characters in BIG-IP paths
  return /^\/[^\x00-\x19"#'*<>?[\\\]{|}\x7f]+$/.test(value);
}

function isF5Pointer(value: string): boolean {
  const p = value.endsWith('#') ? value.slice(0, -1) : value;
  if (p === '' || p === '@' || /^\d+$/.test(p)) return true;
  const name = /^([A-Za-z][0-9A-Za-z_]{0,63}|\d+)$/;
  const parts = p.split('/');
  const last = parts.pop() ?? '';
  if (!name.test(last)) return false;
  return parts.every((seg, i) => seg === '@' || name.test(seg) || (i === 0 && seg === ''));
}

function officialAjv(): Ajv {
  const ajv = new Ajv({ strictTypes: false, allErrors: false });
  addFormats(ajv);
  ajv.addFormat('f5ip', isF5Ip);
  ajv.addFormat('f5bigip', isF5Bigip);
  ajv.addFormat('f5pointer', isF5Pointer);
  ajv.addFormat('f5ipv4', (v: string) => v === '' || (isF5Ip(v) && !v.includes(':')));
  ajv.addFormat('f5ipv6', (v: string) => v === '' || (isF5Ip(v) && v.includes(':')));
  for (const f of ['f5name', 'f5label', 'f5remark', 'f5long-id', 'f5base64']) ajv.addFormat(f, true);
  ajv.addKeyword({ keyword: 'f5PostProcess', schemaType: 'object' });
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: ['string', 'object'] });
  ajv.addKeyword({ keyword: 'bigip' });
  return ajv;
}

let official: ValidateFunction | undefined;
let project: ValidateFunction | undefined;

function formatErrors(validate: ValidateFunction): string {
  return (validate.errors ?? []).slice(0, 8).map((e) => `${e.instancePath || '(root)'}: ${e.message} ${JSON.stringify(e.params)}`).join('\n');
}

/** Errors from the official AS3 schema, '' when valid; undefined when the schema is not available. */
export function officialSchemaErrors(declaration: unknown): string | undefined {
  if (!officialSchemaAvailable()) return undefined;
  if (!official) {
    const schema = JSON.parse(readFileSync(officialSchemaPath, 'utf8')) as { $id: string };
    const ajv = officialAjv();
    ajv.addSchema(schema);
    official = ajv.getSchema(`${schema.$id}#/definitions/AS3`);
    if (!official) throw new Error('official AS3 schema has no #/definitions/AS3');
  }
  return official(structuredClone(declaration)) ? '' : formatErrors(official);
}

/** Errors from the project's own strict schema of what kube-as3 emits, '' when valid. */
export function projectSchemaErrors(declaration: unknown): string {
  if (!project) {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'as3-schemas', 'kube-as3-declaration.schema.json'), 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
    ajv.addFormat('ip-address', isF5Ip);
    project = ajv.compile(schema);
  }
  return project(declaration) ? '' : formatErrors(project);
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
