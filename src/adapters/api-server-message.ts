/**
 * What the Kubernetes API server said when it refused a request, for error messages: its `Status`
 * reason and message, else the raw body (cut short), else client-node's own summary. The
 * ApiException's `message` is not used as is: it embeds the response headers and the whole body.
 */
import type { ApiException } from '@kubernetes/client-node';
import { isRecord } from '../lib/is-record.js';

export function apiServerMessage(err: Pick<ApiException<unknown>, 'body' | 'message'>): string {
  let body: unknown = err.body;
  if (typeof body === 'string') {
    const text = body.trim();
    try {
      body = JSON.parse(text);
    } catch {
      return text === '' ? 'empty response body' : text.slice(0, 500);
    }
  }
  if (isRecord(body) && typeof body['message'] === 'string') {
    return typeof body['reason'] === 'string' && body['reason'] !== '' ? `${body['reason']}: ${body['message']}` : body['message'];
  }
  // client-node drops the body of a 401 and keeps only its own summary ("Unauthorized").
  const summary = /\nMessage: ([^\n]+)/.exec(err.message)?.[1];
  return summary ?? 'no message in the response';
}
