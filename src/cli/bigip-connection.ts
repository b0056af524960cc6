/**
 * The BIG-IP connection of `diff --bigip-url` and `apply`: URL and TLS options from the flags and
 * the config file, credentials from the environment or a credentials directory (never flags),
 * progress lines for retries.
 */
import { readFile } from 'node:fs/promises';
import type { BigipError, BigipEvent } from '../bigip/as3-api.js';
import { loadCredentials } from '../bigip/credentials.js';
import { BigipRestClient } from '../bigip/rest-client.js';
import type { Config } from '../config/config.js';
import type { CliIo } from './io.js';

export interface BigipFlags {
  bigipUrl?: string;
  bigipCredentialsDir?: string;
  insecure?: boolean;
  caFile?: string;
}

function describeEvent(event: BigipEvent): string | undefined {
  if (event.type === 'retry')
    return `retrying ${event.method} ${event.path} in ${(event.delayMs / 1000).toFixed(1)} s (attempt ${event.attempt}): ${event.reason}`;
  // Only a device that answered can refuse a login; an unreachable one is reported by the final error.
  if (event.type === 'login' && !event.ok && event.kind === 'auth') return 'BIG-IP login refused';
  return undefined;
}

/**
 * The error line for a BigipError: a device that was never reached says so first
 * (`cannot connect to URL: connection refused ...`); other errors are prefixed with the URL.
 */
export function bigipErrorText(url: string | undefined, error: BigipError): string {
  if (error.message.startsWith('cannot connect to ')) return error.message;
  return `BIG-IP ${url ?? ''}: ${error.message}`;
}

/**
 * A REST client for the BIG-IP, or undefined after printing why it cannot be made (no URL, no
 * credentials, unreadable CA file). Retries are reported on stderr as they happen. Once `signal`
 * aborts (`run` stopping), retries stop and only a declaration already posted is followed.
 */
export async function connectBigip(
  flags: BigipFlags,
  config: Config,
  io: CliIo,
  signal?: AbortSignal,
): Promise<BigipRestClient | undefined> {
  const url = flags.bigipUrl ?? config.bigip.url;
  if (!url) {
    io.stderr('error: give the BIG-IP with --bigip-url URL (or bigip.url in the config file)\n');
    return undefined;
  }
  if (!/^https?:\/\/[^/]+\/?$/.test(url)) {
    io.stderr(`error: --bigip-url ${JSON.stringify(url)} must look like https://bigip.example.com[:port]\n`);
    return undefined;
  }
  let credentials;
  try {
    const dir = flags.bigipCredentialsDir ?? config.bigip.credentialsDir;
    credentials = loadCredentials(dir === undefined ? {} : { credentialsDir: dir });
  } catch (err) {
    io.stderr(`error: ${(err as Error).message}\n`);
    return undefined;
  }
  const caFile = flags.caFile ?? config.bigip.caFile;
  let ca: Buffer | undefined;
  if (caFile !== undefined) {
    try {
      ca = await readFile(caFile);
    } catch (err) {
      io.stderr(`error: CA bundle ${caFile}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
      return undefined;
    }
  }
  return new BigipRestClient({
    url: url.replace(/\/$/, ''),
    credentials,
    insecure: flags.insecure ?? config.bigip.insecure,
    ...(ca ? { ca } : {}),
    maxRetries: config.as3.maxRetries,
    ...(signal ? { signal } : {}),
    onEvent: (event) => {
      const line = describeEvent(event);
      if (line) io.stderr(`kube-as3: ${line}\n`);
    },
  });
}
