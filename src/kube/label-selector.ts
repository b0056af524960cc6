/**
 * Kubernetes label selectors in their string form (`f5cr in (true)`, `env=prod,tier!=db`, `!legacy`),
 * parsed once into predicates. Syntax errors are returned, not thrown, so a bad selector in a config
 * file is reported with every other config error.
 */

type Requirement = { op: 'in' | 'notin'; key: string; values: string[] } | { op: 'exists' | 'notexists'; key: string };

export interface LabelSelector {
  readonly source: string;
  matches(labels: Record<string, string> | undefined): boolean;
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function parseRequirement(text: string): Requirement | string {
  const setMatch = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(text);
  if (setMatch) {
    const [, key = '', op, list = ''] = setMatch;
    const values = list.split(',').map((v) => v.trim());
    if (!KEY.test(key)) return `invalid label key "${key}"`;
    const bad = values.find((v) => !VALUE.test(v));
    if (bad !== undefined) return `invalid label value "${bad}"`;
    return { op: op === 'in' ? 'in' : 'notin', key, values };
  }
  const eqMatch = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(text);
  if (eqMatch) {
    const [, key = '', op, value = ''] = eqMatch;
    if (!KEY.test(key)) return `invalid label key "${key}"`;
    if (!VALUE.test(value)) return `invalid label value "${value}"`;
    return { op: op === '!=' ? 'notin' : 'in', key, values: [value] };
  }
  const existsMatch = /^(!?)\s*(\S+)$/.exec(text);
  if (existsMatch) {
    const [, not, key = ''] = existsMatch;
    if (!KEY.test(key)) return `invalid label key "${key}"`;
    return { op: not ? 'notexists' : 'exists', key };
  }
  return `cannot parse "${text}"`;
}

function satisfies(req: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  switch (req.op) {
    case 'exists':
      return has;
    case 'notexists':
      return !has;
    case 'in':
      return has && req.values.includes(labels[req.key] as string);
    case 'notin':
      return !has || !req.values.includes(labels[req.key] as string);
  }
}

/** Parses a selector; an empty string selects everything. */
export function parseLabelSelector(source: string): LabelSelector | { error: string } {
  const requirements: Requirement[] = [];
  for (const part of splitTopLevel(source)) {
    const req = parseRequirement(part);
    if (typeof req === 'string') return { error: `label selector "${source}": ${req}` };
    requirements.push(req);
  }
  return {
    source,
    matches: (labels) => requirements.every((r) => satisfies(r, labels ?? {})),
  };
}

/** For selectors already validated (by the config schema step). */
export function mustParseLabelSelector(source: string): LabelSelector {
  const parsed = parseLabelSelector(source);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}
