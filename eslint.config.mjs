// Lint rules as code. src/ is layered (LAYERS below): a folder never imports a higher one, and
// the pure core (every folder but IO_FOLDERS) does no I/O.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const ioModules = [
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'net',
  'node:net',
  'http',
  'node:http',
  'https',
  'node:https',
  'child_process',
  'node:child_process',
  'axios',
  '@kubernetes/client-node',
  'pino',
  'prom-client',
];

/**
 * The layers of src/, lowest first (docs/architecture.md explains them; test/layers.test.ts keeps
 * that page and this list in step and checks that no files import each other in a cycle). A
 * folder may import its own layer's files and any lower layer, never a higher one.
 */
export const LAYERS = [
  ['lib'],
  ['kube'],
  ['model', 'ipam'],
  ['config'],
  ['inventory'],
  ['resolve'],
  ['normalize'],
  ['translate'],
  ['plan'],
  ['status', 'bigip'],
  ['apply'],
  ['adapters'],
  ['watch'],
  ['controller'],
  ['cli'],
];

/** Folders that may do I/O; every other folder is the pure core. */
const IO_FOLDERS = ['adapters', 'cli', 'watch', 'bigip', 'controller'];

/** One config per folder: the imports it may not make (higher layers, and I/O in the pure core). */
function layerConfigs() {
  return LAYERS.flatMap((layer, rank) =>
    layer.map((folder) => {
      const higher = LAYERS.slice(rank + 1).flat();
      const pure = !IO_FOLDERS.includes(folder);
      const rule = {
        patterns:
          higher.length === 0
            ? []
            : [
                {
                  group: higher.flatMap((h) => [`**/${h}/*`, `**/${h}`]),
                  message: `${folder}/ is below ${higher.join(', ')} (docs/architecture.md): move what both need down, or this code up.`,
                },
              ],
        ...(pure ? { paths: ioModules.map((name) => ({ name, message: 'The pure core does no I/O: move this to an adapter.' })) } : {}),
      };
      return {
        files: [`src/${folder}/**/*.ts`],
        ignores: ['**/*.test.ts'],
        rules: {
          'no-restricted-imports': ['error', rule],
          ...(pure ? { 'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval', 'fetch'] } : {}),
        },
      };
    }),
  );
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      complexity: ['error', 20],
      'max-depth': ['error', 4],
      'max-params': ['error', 5],
      'no-console': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...layerConfigs(),
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { complexity: 'off', 'max-params': 'off' },
  },
);
