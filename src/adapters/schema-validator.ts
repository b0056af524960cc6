/**
 * Validation of AS3 declarations with Ajv before anything is posted: against the project's own
 * strict schema (as3-schemas/, shipped with the package) and, when the user points
 * `as3.schemaFile` at it, the official AS3 schema (which cannot ship with the project). Tests use
 * the same validators.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, Name, _ } from 'ajv';
import type { ErrorObject, Format, ValidateFunction } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { isF5Ip } from './f5-ip-format.js';
import { validate as generatedProjectValidate } from './project-validator.generated.js';
import type { DeclarationValidator } from '../apply/declaration-validator.js';

/** `as3-schemas/` of the package: two levels up from both `src/adapters` and `dist/adapters`. */
export const PROJECT_SCHEMA_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'as3-schemas',
  'kube-as3-declaration.schema.json',
);

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

/**
 * The formats of the official AS3 schema: ajv-formats' full set and AS3's own. Compiled
 * standalone code (as3-validator-cache.ts) refers to them by name as `OFFICIAL_FORMATS_NAME`.
 */
export function officialFormats(): Record<string, Format> {
  const formats: Record<string, Format> = {};
  // As Ajv's addFormat does: a format given as a string is a regular expression.
  for (const [name, format] of Object.entries(fullFormats)) formats[name] = typeof format === 'string' ? new RegExp(format) : format;
  formats['f5ip'] = isF5Ip;
  formats['f5bigip'] = isF5Bigip;
  formats['f5pointer'] = isF5Pointer;
  formats['f5ipv4'] = (v: string) => v === '' || (isF5Ip(v) && !v.includes(':'));
  formats['f5ipv6'] = (v: string) => v === '' || (isF5Ip(v) && v.includes(':'));
  for (const f of ['f5name', 'f5label', 'f5remark', 'f5long-id', 'f5base64']) formats[f] = true;
  return formats;
}

/** What standalone code of the official schema calls the object of `officialFormats()`. */
export const OFFICIAL_FORMATS_NAME = 'kubeAs3Formats';

/** Ajv with the custom formats and keywords of the official AS3 schema; `standalone` keeps the code of what it compiles. */
function officialAjv(standalone = false): Ajv {
  const code = standalone ? { source: true, formats: _`${new Name(OFFICIAL_FORMATS_NAME)}` } : {};
  const ajv = new Ajv({ strictTypes: false, allErrors: false, verbose: true, code });
  for (const [name, format] of Object.entries(officialFormats())) ajv.addFormat(name, format);
  ajv.addKeyword({ keyword: 'f5PostProcess', schemaType: 'object' });
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: ['string', 'object'] });
  ajv.addKeyword({ keyword: 'bigip' });
  return ajv;
}

/** What is wrong, in words: the offending value or property rather than a schema's regular expression. */
function describe(e: ErrorObject): string {
  if (e.keyword === 'pattern') return `${JSON.stringify(e.data)} is not in the form the schema requires here`;
  if (e.keyword === 'additionalProperties') return `unknown property "${String(e.params['additionalProperty'])}"`;
  if (e.keyword === 'enum') return `must be one of ${(e.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (e.keyword === 'required') return `property "${String(e.params['missingProperty'])}" is required`;
  return e.message ?? 'is invalid';
}

function formatErrors(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .slice(0, 8)
    .map((e) => `${e.instancePath || '(root)'}: ${describe(e)}`)
    .join('\n');
}

/**
 * The official AS3 schema's text (`as3-schema.json`) compiled for AS3 requests (`class: AS3`),
 * with the Ajv instance that compiled it (for standalone code, when `standalone`).
 */
export function compileOfficial(schemaText: string, standalone = false): { ajv: Ajv; validate: ValidateFunction } {
  const schema = JSON.parse(schemaText) as { $id: string };
  const ajv = officialAjv(standalone);
  ajv.addSchema(schema);
  const validate = ajv.getSchema(`${schema.$id}#/definitions/AS3`);
  if (!validate) throw new Error('the AS3 schema has no #/definitions/AS3: is it the official as3-schema.json?');
  return { ajv, validate };
}

/** A compiled official schema as a DeclarationValidator. */
export function officialDeclarationValidator(validate: ValidateFunction): DeclarationValidator {
  // AS3's schema fills defaults into what it checks: validate a copy.
  return (declaration) => (validate(structuredClone(declaration)) ? '' : formatErrors(validate));
}

/** A validator for the official AS3 schema's text (`as3-schema.json`), for AS3 requests (`class: AS3`). */
export function officialValidator(schemaText: string): DeclarationValidator {
  return officialDeclarationValidator(compileOfficial(schemaText).validate);
}

/** What the project schema's `ip-address` format is called in its generated code. */
export const PROJECT_FORMATS_NAME = 'projectFormats';

/** Ajv for the project's schema; `standalone` keeps the code of what it compiles (project-validator-source.ts). */
export function projectAjv(standalone = false): Ajv {
  const code = standalone ? { source: true, esm: true, formats: _`${new Name(PROJECT_FORMATS_NAME)}` } : {};
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, strictTypes: false, verbose: true, code });
  ajv.addFormat('ip-address', isF5Ip);
  return ajv;
}

/** The project schema (as3-schemas/), read now. */
export function projectSchema(): object {
  return JSON.parse(readFileSync(PROJECT_SCHEMA_PATH, 'utf8')) as object;
}

/**
 * The project's strict schema of what kube-as3 emits, compiled ahead of time
 * (project-validator.generated.ts): compiling it cost about 0.1-0.2 s of each start of apply and run.
 */
export function projectValidator(): DeclarationValidator {
  const validate = generatedProjectValidate as unknown as ValidateFunction;
  return (declaration) => (validate(declaration) ? '' : formatErrors(validate));
}
