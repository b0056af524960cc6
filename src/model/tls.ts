import type { ObjectRef } from '../kube/refs.js';
import type { BigipRef } from './settings.js';

/** A certificate and key taken from a Kubernetes TLS Secret (PEM text). */
export interface CertificateMaterial {
  /** The Secret it came from (`ns/name`), the stable identity used for AS3 object names. */
  secret: string;
  certificate: string;
  privateKey: string;
  /** Intermediate certificates that followed the leaf in `tls.crt`, if any. */
  chainCA?: string;
}

/**
 * The side of TLS that faces clients (AS3 `serverTLS`, BIG-IP client-ssl): either existing BIG-IP
 * client-ssl profiles or certificates from Secrets. Several entries are chosen by SNI; the first is
 * the default for clients that send no or an unknown server name.
 */
export type ClientSideTls = { profiles: BigipRef[] } | { certificates: CertificateMaterial[] };

/**
 * The side that faces the pods (AS3 `clientTLS`, BIG-IP server-ssl), only for re-encryption: an
 * existing server-ssl profile, or a CA bundle from a Secret to verify the pods' certificates.
 */
export type ServerSideTls = { profiles: BigipRef[] } | { caBundles: Array<{ secret: string; bundle: string }> };

export interface CipherSettings {
  /** OpenSSL-style cipher string (AS3 `ciphers`). */
  ciphers?: string;
  /** An existing BIG-IP cipher group (AS3 `cipherGroup`); used with TLS 1.3. */
  cipherGroup?: BigipRef;
  tls1_3Enabled?: boolean;
  /** Versions turned off (`tls1_0Enabled: false`, ...). */
  disabledVersions?: Array<'1.0' | '1.1' | '1.2' | '1.3'>;
}

/**
 * Options of a TLS object made from Secrets (TLSProfile `clientSSLParams` / `serverSSLParams`),
 * only where they differ from AS3's defaults.
 */
export interface TlsSideOptions {
  renegotiationEnabled?: boolean;
  dtlsEnabled?: boolean;
  singleUseDhEnabled?: boolean;
  /** The server name sent to the pods (SNI), which their certificate must match. */
  serverName?: string;
}

/** What a TLSProfile (or an Ingress's `spec.tls`) asks of one HTTPS virtual. */
export interface TlsModel {
  termination: 'edge' | 'reencrypt' | 'passthrough';
  clientSide?: ClientSideTls;
  serverSide?: ServerSideTls;
  cipher?: CipherSettings;
  /** Client-side renegotiation (AS3 `renegotiationEnabled`); AS3's default when absent. */
  renegotiationEnabled?: boolean;
  /** Other options of the client-facing TLS_Server (`clientSSLParams`). */
  clientOptions?: TlsSideOptions;
  /** Options of the pod-facing TLS_Client (`serverSSLParams`). */
  serverOptions?: TlsSideOptions;
  /** The TLSProfile (or the Ingress) the settings come from, for messages. */
  source: ObjectRef;
}
