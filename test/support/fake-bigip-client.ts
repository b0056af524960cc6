import { createCredentials } from '../../src/bigip/credentials.js';
import { BigipRestClient } from '../../src/bigip/rest-client.js';
import type { BigipRestClientOptions } from '../../src/bigip/rest-client.js';

/**
 * The AS3 client as tests use it against the fake BIG-IP: its credentials, polls and retries
 * within milliseconds, and no real waiting between them.
 */
export function fakeBigipClient(url: string, options: Partial<BigipRestClientOptions> = {}): BigipRestClient {
  return new BigipRestClient({
    url,
    credentials: createCredentials('admin', 'admin'),
    pollIntervalMs: 1,
    retryBaseMs: 1,
    retryMaxMs: 2,
    sleep: () => Promise.resolve(),
    ...options,
  });
}
