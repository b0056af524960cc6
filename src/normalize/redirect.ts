/**
 * Where an HTTP request is redirected to reach the HTTPS virtual: same host (without any port the
 * client sent), same URI. AS3 evaluates the `tcl:` expression per request on the BIG-IP, so one
 * declarative Endpoint_Policy rule covers every host and path (no iRule needed).
 */
export function httpsRedirectLocation(httpsPort: number): string {
  const port = httpsPort === 443 ? '' : `:${httpsPort}`;
  return `tcl:https://[getfield [HTTP::host] ":" 1]${port}[HTTP::uri]`;
}
