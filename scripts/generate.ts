/**
 * `npm run generate`: rewrites the files kube-as3 computes ahead of time so that starting it
 * stays cheap (issue 16). Their tests fail when one is not current; run this after changing
 * their source.
 *   src/config/config-validator.generated.ts  from src/config/config-schema.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configValidatorSource } from '../src/config/config-validator-source.js';

const CONFIG_VALIDATOR = fileURLToPath(new URL('../src/config/config-validator.generated.ts', import.meta.url));

writeFileSync(CONFIG_VALIDATOR, configValidatorSource());
console.log(`wrote ${CONFIG_VALIDATOR}`);
