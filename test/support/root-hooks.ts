/**
 * Mocha root hooks: say once per run whether the official AS3 schema checks run or are skipped
 * (a fresh clone without ../shared/as3-schemas skips only those checks), and compile that schema
 * before the first test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileOfficialSchema, officialSchemaAvailable, officialSchemaDir } from './as3-validation.js';
import { isStraySocketError } from '../../src/cli/stray-socket-error.js';

/**
 * kube-as3 caches the compiled official AS3 schema under $XDG_CACHE_HOME by default
 * (src/adapters/as3-validator-cache.ts): the tests, and the processes they start, use a folder of
 * their own rather than the user's cache.
 */
const cacheHome = mkdtempSync(join(tmpdir(), 'kube-as3-test-cache-'));
process.env['XDG_CACHE_HOME'] = cacheHome;

/**
 * The test process follows `kube-as3 run`'s rule for uncaught errors (src/cli/stray-socket-error.ts):
 * a socket error nobody waited for (the Kubernetes client's keep-alive TLS sockets, when an envtest
 * API server stops on a busy machine) is reported and ignored; every other uncaught error goes to
 * mocha, which fails the test it happened in.
 */
function captureUncaught(err: unknown): void {
  if (isStraySocketError(err)) {
    console.log(`\n  NOTE: ignored a stray socket error, as kube-as3 run does: ${(err as Error).message}\n`);
    return;
  }
  process.emit('uncaughtException', err as Error);
}

/** Bound on compiling the official AS3 schema (about 1 s idle; several times that on a busy machine). */
const OFFICIAL_SCHEMA_COMPILE_TIMEOUT_MS = 120_000;

export const mochaHooks = {
  beforeAll(this: Mocha.Context): void {
    if (!process.hasUncaughtExceptionCaptureCallback()) process.setUncaughtExceptionCaptureCallback(captureUncaught);
    if (!officialSchemaAvailable()) {
      console.log(`\n  NOTE: official AS3 schema not found in ${officialSchemaDir}: official-schema checks are skipped.\n`);
      return;
    }
    // Compiled here, under its own generous budget, rather than inside whichever test (or fake
    // BIG-IP request) happens to validate first: that test used to spend 6 s of its 20 s timeout
    // on the compilation, and over 11 s when the machine was busy.
    this.timeout(OFFICIAL_SCHEMA_COMPILE_TIMEOUT_MS);
    compileOfficialSchema();
  },
  afterAll(): void {
    process.setUncaughtExceptionCaptureCallback(null);
    rmSync(cacheHome, { recursive: true, force: true });
  },
};
