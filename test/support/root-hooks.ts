/**
 * Mocha root hooks: say once per run whether the official AS3 schema checks run or are skipped
 * (a fresh clone without ../shared/as3-schemas skips only those checks).
 */
import { officialSchemaAvailable, officialSchemaDir } from './as3-validation.js';

export const mochaHooks = {
  beforeAll(): void {
    if (!officialSchemaAvailable()) {
      console.log(`\n  NOTE: official AS3 schema not found in ${officialSchemaDir}: official-schema checks are skipped.\n`);
    }
  },
};
