/**
 * One kept-alive connection pool per cluster for every request kube-as3 makes to it.
 *
 * client-node 1.4 builds a new HTTP agent for every request (`applySecurityAuthentication` and
 * `applyToHTTPSOptions` each create one), so each status write opened its own TLS connection: on
 * a first pass over 1,000 VirtualServers, TLS contexts and handshakes were most of the controller's
 * CPU and made the API server do as many handshakes. Here the first agent made for a kubeconfig is
 * kept (with keep-alive on) and given to every later request; credentials are still applied per
 * request (tokens are headers), so a rotated token is used as soon as the kubeconfig returns it. A
 * request whose fresh agent has other TLS settings (an exec plugin's renewed client certificate)
 * replaces the kept agent.
 */
import type { Agent as HttpAgent } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { ServerConfiguration, createConfiguration } from '@kubernetes/client-node';
import type { Configuration, KubeConfig, RequestContext, SecurityAuthentication } from '@kubernetes/client-node';

const agents = new WeakMap<KubeConfig, HttpAgent>();

/** The TLS settings of an agent that decide which connections it may reuse. */
function tlsOf(agent: unknown): unknown[] {
  const options = (agent as { options?: Record<string, unknown> }).options ?? {};
  return ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername', 'proxy'].map((k) => options[k]);
}

/**
 * The kubeconfig's shared agent; `fresh` (the one just made for a request) becomes it when there
 * is none yet, or when its TLS settings differ from the shared one's.
 */
export function sharedAgent(kubeConfig: KubeConfig, fresh: unknown): HttpAgent | undefined {
  const known = agents.get(kubeConfig);
  const usable = fresh !== undefined && fresh !== null && typeof fresh === 'object';
  if (known && (!usable || isDeepStrictEqual(tlsOf(known), tlsOf(fresh)))) return known;
  if (!usable) return undefined;
  const agent = fresh as HttpAgent;
  // Read by Node per request and when a socket becomes free: idle sockets are kept (and unref'd).
  (agent as HttpAgent & { keepAlive: boolean }).keepAlive = true;
  agents.set(kubeConfig, agent);
  return agent;
}

/** The kubeconfig's authentication, with the shared agent instead of a new one per request. */
function pooledAuth(kubeConfig: KubeConfig): SecurityAuthentication {
  return {
    getName: () => 'kubeconfig authentication (pooled connections)',
    applySecurityAuthentication: async (context: RequestContext) => {
      await kubeConfig.applySecurityAuthentication(context);
      const agent = sharedAgent(kubeConfig, context.getAgent());
      if (agent) context.setAgent(agent);
    },
  };
}

/** `kubeConfig.makeApiClient(type)`, with the cluster's connections pooled. */
export function pooledApiClient<T>(kubeConfig: KubeConfig, type: new (config: Configuration) => T): T {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  return new type(
    createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: pooledAuth(kubeConfig) } }),
  );
}
