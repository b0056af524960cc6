/**
 * `npm run generate`: rewrites the files kube-as3 computes ahead of time so that starting it
 * stays cheap (issue 16). Their tests fail when one is not current; run this after changing
 * their source.
 *   src/config/config-validator.generated.ts  from src/config/config-schema.ts
 *   src/adapters/shipped-crds.generated.ts     from crds/*.yaml
 *   src/adapters/project-validator.generated.ts from as3-schemas/kube-as3-declaration.schema.json
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { shippedCrdsSource } from '../src/adapters/crd-structure-source.js';
import { projectValidatorSource } from '../src/adapters/project-validator-source.js';
import { configValidatorSource } from '../src/config/config-validator-source.js';

const generated: [string, () => string][] = [
  ['../src/config/config-validator.generated.ts', configValidatorSource],
  ['../src/adapters/shipped-crds.generated.ts', () => shippedCrdsSource()],
  ['../src/adapters/project-validator.generated.ts', projectValidatorSource],
];

for (const [relative, source] of generated) {
  const file = fileURLToPath(new URL(relative, import.meta.url));
  writeFileSync(file, source());
  console.log(`wrote ${file}`);
}
