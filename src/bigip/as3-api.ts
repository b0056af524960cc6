/**
 * What the apply engine needs from a BIG-IP's AS3 service (docs/cli.md, "How apply changes the BIG-IP"; reference/as3-api.md). The
 * REST client (rest-client.ts) implements it over HTTP; tests may implement it in memory.
 */
import type { As3Adc, As3Application, As3Declaration } from '../model/as3-types.js';

/** `GET /mgmt/shared/appsvcs/info`. */
export interface As3Info {
  version: string;
  /** Highest `schemaVersion` the device accepts. */
  schemaCurrent: string;
  schemaMinimum?: string;
  /** AS3 ≥ 3.50 accepts `POST /declare/<tenant>/applications` (per-application deployment). */
  perApplication: boolean;
}

/** One tenant's entry in AS3's `results`. */
export interface TenantResult {
  tenant: string;
  /** 200 for success and no change; 422 (or another code) when the tenant failed. */
  code: number;
  /** `success`, `no change`, `declaration failed`, `declaration is invalid`, ... */
  message: string;
  /** AS3's error text for a failed tenant (`response`, or the joined `errors`). */
  error?: string;
}

/**
 * The outcome of a deploy once it finished (after `/task/<id>` polling for async posts):
 * - `ok`: HTTP 200, every tenant succeeded or had no change;
 * - `partial`: HTTP 207, some tenants failed (they keep their previous state on the device);
 * - `rejected`: HTTP 422 (or another 4xx AS3 answer), nothing was applied; `errors` has AS3's text.
 */
export interface DeployOutcome {
  status: 'ok' | 'partial' | 'rejected';
  httpStatus: number;
  results: TenantResult[];
  /** AS3's error messages for a rejected request (`errors`, else `message`). */
  errors: string[];
}

/** Transient and fatal failures talking to the device, after the client's own retries. */
export type BigipErrorKind =
  /** Connection refused/reset, DNS, TLS handshake: the device could not be reached. */
  | 'unreachable'
  /** Login refused, or still 401 after one re-login. */
  | 'auth'
  /** No answer (or an unfinished async task) within the time limit. */
  | 'timeout'
  /** Still busy (503) after every retry. */
  | 'busy'
  /** Any other unexpected answer: 404 (AS3 not installed), 5xx, invalid JSON. */
  | 'protocol';

export class BigipError extends Error {
  constructor(
    readonly kind: BigipErrorKind,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'BigipError';
  }
}

/** What happened on the wire, for logs and metrics (never carries credentials or bodies). */
export type BigipEvent =
  | { type: 'request'; method: string; path: string; httpStatus?: number; ms: number; bytesSent: number }
  | { type: 'retry'; method: string; path: string; attempt: number; delayMs: number; reason: string }
  /** A failed login says why: `auth` when the device refused it, `unreachable`/`timeout` when it was never reached. */
  | { type: 'login'; ok: true }
  | { type: 'login'; ok: false; kind: BigipErrorKind };

export interface As3Api {
  info(): Promise<As3Info>;
  /** The declaration AS3 holds (`GET /declare`), or undefined when it holds none (204). */
  currentDeclaration(): Promise<As3Adc | undefined>;
  /**
   * `POST /declare/<tenants>?async=true`, then polls `/task/<id>` until done. Only the tenants
   * named in `tenants` are processed; the others on the device are untouched.
   */
  deployTenants(tenants: string[], declaration: As3Declaration): Promise<DeployOutcome>;
  /** `POST /declare/<tenant>/applications` (AS3 ≥ 3.50) with only these applications. */
  deployApplications(tenant: string, schemaVersion: string, applications: Record<string, As3Application>): Promise<DeployOutcome>;
}
