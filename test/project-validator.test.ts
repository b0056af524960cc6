import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { projectValidatorSource } from '../src/adapters/project-validator-source.js';
import { validate } from '../src/adapters/project-validator.generated.js';
import { projectAjv, projectSchema } from '../src/adapters/schema-validator.js';
import { repoRoot } from './support/as3-validation.js';

/** The golden declarations, and each spoilt in the ways the schema must catch. */
function declarations(): unknown[] {
  const golden = join(repoRoot, 'test', 'golden');
  const out: unknown[] = [];
  for (const name of readdirSync(golden).sort()) {
    const file = join(golden, name, 'expected.json');
    if (!existsSync(file) || readFileSync(file, 'utf8').trim() === '') continue;
    const declaration = JSON.parse(readFileSync(file, 'utf8')) as { declaration?: Record<string, unknown> };
    out.push(declaration, { ...declaration, surprise: 1 });
    const spoilt = structuredClone(declaration);
    for (const tenant of Object.values(spoilt.declaration ?? {})) {
      if (tenant === null || typeof tenant !== 'object') continue;
      for (const app of Object.values(tenant as Record<string, unknown>)) {
        if (app && typeof app === 'object') (app as Record<string, unknown>)['template'] = 42;
      }
    }
    out.push(spoilt);
  }
  return out;
}

describe('the generated project schema validator', () => {
  it('is what Ajv compiles from as3-schemas/ today (run `npm run generate` after changing the schema)', () => {
    const checkedIn = readFileSync(new URL('../src/adapters/project-validator.generated.ts', import.meta.url), 'utf8');
    assert.equal(checkedIn, projectValidatorSource());
  });

  it('judges every golden declaration, and spoilt ones, as compiling the schema at run time does', () => {
    const compiled = projectAjv().compile(projectSchema());
    const generated = validate as unknown as ValidateFunction;
    const list = declarations();
    assert.ok(list.length > 100);
    let refused = 0;
    for (const declaration of list) {
      const verdict = compiled(structuredClone(declaration));
      assert.equal(generated(structuredClone(declaration)), verdict);
      assert.deepEqual(generated.errors, compiled.errors);
      if (!verdict) refused++;
    }
    assert.ok(refused > list.length / 3, 'the spoilt declarations are refused');
  });
});
