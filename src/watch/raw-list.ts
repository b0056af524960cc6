/**
 * A LIST of one collection as the API server sends it: plain JSON, the same form watch events
 * carry, with the kubeconfig's credentials and TLS settings (client-node's `applyToHTTPSOptions`,
 * so tokens, client certificates, exec plugins and proxies work as they do for its own APIs).
 *
 * client-node's typed list APIs turned each item into model instances (with Date fields) that the
 * watch then turned back into JSON: on the first list of 1,000 VirtualServers with their Services
 * and EndpointSlices that was most of the list's CPU time. Fields kube-as3 never reads and that
 * can be large are dropped as objects are read (`slim`), so the inventory and the informer's cache
 * keep only what is used.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { sharedAgent } from '../adapters/pooled-connections.js';
import { apiServerMessage } from '../adapters/api-server-message.js';
import { KUBE_LIST_TIMEOUT_MS, KubeApiError, kubeCall, refusedMessage } from '../adapters/kube-call.js';

export interface RawList {
  metadata?: { resourceVersion?: string };
  items?: unknown[];
}

/** Annotations kube-as3 never reads that may hold a whole copy of the object. */
const DROPPED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

/**
 * Drops what kube-as3 never reads and that costs memory per object: `managedFields` and the
 * last-applied annotation. Changes `obj` in place (it is ours: just parsed) and returns it.
 */
export function slim<T>(obj: T): T {
  const metadata = (obj as { metadata?: { managedFields?: unknown; annotations?: Record<string, string> } } | undefined)?.metadata;
  if (metadata === undefined || metadata === null) return obj;
  delete metadata.managedFields;
  const annotations = metadata.annotations;
  if (annotations) for (const key of DROPPED_ANNOTATIONS) delete annotations[key];
  return obj;
}

export interface ListRawOptions {
  /** Deadline of the whole list, answer included (default KUBE_LIST_TIMEOUT_MS, 30 s). */
  timeoutMs?: number;
  /** Aborts the list earlier (the watch stopping). */
  signal?: AbortSignal;
}

/**
 * GET `path` (e.g. `/api/v1/services`) from the kubeconfig's current cluster, through kube-call.ts
 * (a deadline, and a KubeApiError `<path>: cannot list: …` when it fails).
 */
export async function listRaw(kubeConfig: KubeConfig, path: string, options: ListRawOptions = {}): Promise<RawList> {
  const what = `${path}: cannot list`;
  const timeoutMs = options.timeoutMs ?? KUBE_LIST_TIMEOUT_MS;
  return kubeCall(what, (_, signal) => get(kubeConfig, path, what, signal), {
    timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

async function get(kubeConfig: KubeConfig, path: string, what: string, signal: AbortSignal): Promise<RawList> {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig names no cluster server');
  // Appended, so that a server URL with a path prefix (behind a proxy) keeps it.
  const url = new URL(`${server.replace(/\/$/, '')}${path}`);
  const options: RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(options);
  const agent = sharedAgent(kubeConfig, options.agent);
  if (agent) options.agent = agent;
  const headers = { ...(options.headers as Record<string, string> | undefined), accept: 'application/json' };
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { ...options, method: 'GET', headers, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          // What the API server said: its Status `reason: message`, else the body's start.
          return reject(new KubeApiError(refusedMessage(what, status, apiServerMessage({ body: text, message: '' })), what, status, false));
        }
        try {
          const list = JSON.parse(text) as RawList;
          for (const item of list.items ?? []) slim(item);
          resolve(list);
        } catch (err) {
          reject(new Error(`the API server's answer is not JSON: ${(err as Error).message}`));
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}
