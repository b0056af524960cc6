/**
 * The official AS3 schema (`as3.schemaFile`) compiled once per schema file, not once per start:
 * compiling its 1.2 MB with Ajv takes about 1.7 s on a quiet 2-core machine, loading Ajv's
 * standalone code of it a fraction of that. The code is kept in a cache folder
 * (`as3.schemaCacheDir`, by default `$XDG_CACHE_HOME/kube-as3` or `~/.cache/kube-as3`) in a file
 * named by the schema text's SHA-256 and Ajv's version, so that another schema or another Ajv
 * never uses it. A file that fails its own checksum or does not evaluate is compiled and written
 * again; a folder that cannot be written (a read-only container) only means compiling each time.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { OFFICIAL_FORMATS_NAME, compileOfficial, officialFormats } from './schema-validator.js';

/** Bumped whenever what is compiled changes (Ajv options, formats, keywords), so old files are not used. */
const CACHE_FORMAT = 'v1';

const require = createRequire(import.meta.url);
const AJV_VERSION = (require('ajv/package.json') as { version: string }).version;

/** Where the cache lives when the config does not say: `$XDG_CACHE_HOME/kube-as3`, else `~/.cache/kube-as3`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'kube-as3');
}

export interface CachedValidator {
  validate: ValidateFunction;
  /** `cache`: loaded from the cache folder; `compiled`: compiled from the schema text. */
  from: 'cache' | 'compiled';
  /** Whether the compiled code was written to the cache folder. */
  stored: boolean;
  /** Why the cache was not used or not written, when it was not (an unreadable or corrupt file, a folder that cannot be written). */
  problem?: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The cache file of a schema text: one per schema, Ajv version and cache format. */
export function cacheFileOf(dir: string, schemaText: string): string {
  return join(dir, `as3-schema-${sha256(schemaText)}-ajv${AJV_VERSION}-${CACHE_FORMAT}.js`);
}

const HEADER = '// kube-as3: the official AS3 schema compiled by Ajv (as3-validator-cache.ts) sha256:';

/** Evaluates standalone code: its `require` resolves from kube-as3 (Ajv's run-time helpers), its formats are officialFormats(). */
function evaluate(code: string): ValidateFunction {
  const module: { exports: unknown } = { exports: {} };
  // The code is what this module wrote, checked against its checksum first.
  new Function('module', 'exports', 'require', OFFICIAL_FORMATS_NAME, code)(module, module.exports, require, officialFormats());
  const validate = module.exports as ValidateFunction;
  if (typeof validate !== 'function') throw new Error('does not define a validator');
  return validate;
}

/** The validator in `file`; undefined when there is none, an error when it is corrupt. */
async function load(file: string): Promise<ValidateFunction | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    // No file yet, or no folder (a path through a file is as absent).
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
  const newline = text.indexOf('\n');
  const code = text.slice(newline + 1);
  if (!text.startsWith(HEADER) || text.slice(HEADER.length, newline) !== sha256(code)) throw new Error('fails its checksum');
  return evaluate(code);
}

/** Writes `code` to `file` whole or not at all (a temporary file, then a rename). */
async function store(file: string, dir: string, code: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, `${HEADER}${sha256(code)}\n${code}`);
    await rename(temporary, file);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}

/**
 * The official schema's validator for `schemaText`, from the cache folder `dir` when it holds
 * it; otherwise compiled, and written there for the next start. Throws only what compiling the
 * schema throws (a text that is not the official AS3 schema).
 */
export async function cachedOfficialValidator(schemaText: string, dir: string): Promise<CachedValidator> {
  const file = cacheFileOf(dir, schemaText);
  let problem: string | undefined;
  try {
    const validate = await load(file);
    if (validate) return { validate, from: 'cache', stored: false };
  } catch (err) {
    problem = `cache file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  const { ajv, validate } = compileOfficial(schemaText, true);
  const code = standaloneModule.default(ajv, validate);
  try {
    await store(file, dir, code);
  } catch (err) {
    const why = `cannot write ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    return { validate, from: 'compiled', stored: false, problem: problem === undefined ? why : `${problem}; ${why}` };
  }
  return { validate, from: 'compiled', stored: true, ...(problem === undefined ? {} : { problem }) };
}
