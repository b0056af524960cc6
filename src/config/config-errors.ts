/**
 * Config file errors as people read them: `path: sentence`, the path dotted as it is written in
 * YAML (`multiCluster.clusters[0].name`), the sentence plain (a pattern is described by its
 * schema's `patternText`, never shown as a regular expression), and an unknown key with the
 * closest known one.
 */
import type { ErrorObject } from 'ajv';
import { closestName } from '../lib/closest-name.js';
import { isRecord } from '../lib/is-record.js';

/** `/multiCluster/clusters/0/name` → `multiCluster.clusters[0].name`, reading `data` to tell list items from keys. */
export function dottedPath(pointer: string, data: unknown): string {
  if (pointer === '') return '';
  let path = '';
  let value = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) {
      path += `[${key}]`;
      value = value[Number(key)];
    } else {
      path += path === '' ? key : `.${key}`;
      value = isRecord(value) ? value[key] : undefined;
    }
  }
  return path;
}

/** `where.key`, or just `key` at the top level. */
export function childPath(where: string, key: string): string {
  return where === '' ? key : `${where}.${key}`;
}

const TYPE_TEXT: Record<string, string> = {
  string: 'must be text',
  integer: 'must be a whole number',
  number: 'must be a number',
  boolean: 'must be true or false',
  array: 'must be a list',
  object: 'must be a mapping of keys to values',
};

function valueAt(data: unknown, pointer: string): unknown {
  let value = data;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    value = Array.isArray(value) ? value[Number(key)] : isRecord(value) ? value[key] : undefined;
  }
  return value;
}

function knownKeys(e: ErrorObject): string[] {
  const properties = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? Object.keys(properties) : [];
}

function unknownKey(e: ErrorObject, where: string): string {
  const key = String(e.params['additionalProperty']);
  const suggestion = closestName(key, knownKeys(e));
  return `${childPath(where, key)}: unknown field${suggestion === undefined ? '' : `; did you mean ${suggestion}?`}`;
}

/** A required key that is missing names the unknown key beside it that misspells it. */
function missingKey(e: ErrorObject, where: string, data: unknown): string {
  const key = String(e.params['missingProperty']);
  const present = valueAt(data, e.instancePath);
  const known = knownKeys(e);
  const others = isRecord(present) ? Object.keys(present).filter((k) => !known.includes(k)) : [];
  const sibling = closestName(key, others);
  return `${childPath(where, key)}: is required${sibling === undefined ? '' : ` (${childPath(where, sibling)} is set instead: a misspelling of ${key}?)`}`;
}

function sentence(e: ErrorObject): string {
  const params = e.params;
  switch (e.keyword) {
    case 'type':
      return TYPE_TEXT[String(params['type'])] ?? `must be of type ${String(params['type'])}`;
    case 'enum':
      return `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern': {
      const text = (e.parentSchema as { patternText?: string } | undefined)?.patternText;
      return text === undefined ? 'is not in the expected form' : `must be ${text}`;
    }
    case 'minimum':
      return `must be at least ${String(params['limit'])}`;
    case 'maximum':
      return `must be at most ${String(params['limit'])}`;
    case 'minLength':
      return Number(params['limit']) === 1 ? 'must not be empty' : `must be at least ${String(params['limit'])} characters long`;
    case 'minItems':
      return Number(params['limit']) === 1 ? 'must list at least one entry' : `must list at least ${String(params['limit'])} entries`;
    case 'uniqueItems': {
      const [first, second] = [Number(params['i']), Number(params['j'])].sort((a, b) => a - b);
      return `lists the same value twice (entries ${String(first)} and ${String(second)})`;
    }
    case 'not':
      return e.instancePath.endsWith('/partition')
        ? 'the Common partition is reserved for the BIG-IP system and cannot be managed'
        : 'is not allowed';
    default:
      return e.message ?? 'is invalid';
  }
}

/** One line per Ajv error (Ajv needs `verbose: true`, for the parent schemas): `path: sentence`. */
export function describeSchemaError(e: ErrorObject, data: unknown): string {
  const where = dottedPath(e.instancePath, data);
  if (e.keyword === 'additionalProperties') return unknownKey(e, where);
  if (e.keyword === 'required') return missingKey(e, where, data);
  return `${where === '' ? '(top level)' : where}: ${sentence(e)}`;
}
