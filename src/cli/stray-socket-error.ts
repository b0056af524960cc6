/**
 * A socket error that no request was waiting for: the Kubernetes client's watch connections can
 * raise one (`write ECANCELED`, `ECONNRESET`) after their API server went away, as an uncaught
 * exception. Whoever used that connection already learns of the failure its own way (a watch
 * restarts and lists again, a request is retried or fails), so `run` logs it and keeps going; any
 * other uncaught error still ends the process.
 */
const STRAY_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ECANCELED', 'ECONNABORTED', 'ETIMEDOUT', 'ENOTCONN']);

export function isStraySocketError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const { code, syscall } = err as NodeJS.ErrnoException;
  return typeof code === 'string' && STRAY_CODES.has(code) && (syscall === undefined || syscall === 'write' || syscall === 'read');
}
