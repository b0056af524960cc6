// Preloaded with `node --import ./test/support/record-modules.mjs ...` by
// test/cli-lazy-loading.test.ts: writes the file URL of every module the process loaded, one per
// line, to the file named by KUBE_AS3_MODULE_LOG. ES modules are recorded by a resolve hook
// (record-modules-hooks.mjs, registered through module.register, which runs the hook off the main
// thread on Node 20 and 22 alike); CommonJS modules (pino, prom-client and the CommonJS parts of
// other packages) are read from require.cache when the process exits.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const log = process.env.KUBE_AS3_MODULE_LOG;
if (log) {
  register('./record-modules-hooks.mjs', import.meta.url, { data: { log } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const loaded = Object.keys(require.cache).map((file) => pathToFileURL(file).href);
    if (loaded.length > 0) appendFileSync(log, `${loaded.join('\n')}\n`);
  });
}
