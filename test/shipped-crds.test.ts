import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CRD_DIR, readCrdSchemas, shippedCrdSchemas } from '../src/adapters/crd-schemas.js';
import { shippedCrdsSource } from '../src/adapters/crd-structure-source.js';

describe("the shipped CRDs' structure generated ahead of time", () => {
  it('is what crds/*.yaml hold today (run `npm run generate` after changing a CRD)', () => {
    const checkedIn = readFileSync(new URL('../src/adapters/shipped-crds.generated.ts', import.meta.url), 'utf8');
    assert.equal(checkedIn, shippedCrdsSource());
  });

  it("gives the field structure that reading the CRDs' YAML gives", () => {
    const fromYaml = readCrdSchemas(CRD_DIR);
    assert.ok(fromYaml.size >= 4);
    assert.deepEqual(shippedCrdSchemas(), fromYaml);
  });
});
