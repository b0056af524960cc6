import assert from 'node:assert/strict';
import { skipWarning } from './skipped-objects.js';
import type { KubeObject } from './types.js';

describe('skipWarning (objects skipped for their kind or apiVersion)', () => {
  const cases: Array<[string, KubeObject, string | undefined]> = [
    [
      'an older CIS version',
      { apiVersion: 'cis.f5.com/v1beta1', kind: 'VirtualServer' },
      'apiVersion: cis.f5.com/v1beta1 is not read; kube-as3 reads VirtualServer as cis.f5.com/v1, so this object was skipped',
    ],
    [
      'a kind in the wrong letter case',
      { apiVersion: 'cis.f5.com/v1', kind: 'Virtualserver' },
      'kind: Virtualserver is not a kind kube-as3 reads; did you mean VirtualServer? This object was skipped',
    ],
    [
      'a misspelt kind',
      { apiVersion: 'cis.f5.com/v1', kind: 'TransportSever' },
      'kind: TransportSever is not a kind kube-as3 reads; did you mean TransportServer? This object was skipped',
    ],
    [
      'a known kind without apiVersion',
      { kind: 'TLSProfile' },
      'apiVersion: is missing; kube-as3 reads TLSProfile as cis.f5.com/v1, so this object was skipped',
    ],
    [
      'a misspelt kind without apiVersion',
      { kind: 'Virtualserver' },
      'kind: Virtualserver is not a kind kube-as3 reads; did you mean VirtualServer? This object was skipped',
    ],
    [
      'a networking.k8s.io/v1beta1 Ingress',
      { apiVersion: 'networking.k8s.io/v1beta1', kind: 'Ingress' },
      'apiVersion: networking.k8s.io/v1beta1 is not read; kube-as3 reads Ingress as networking.k8s.io/v1, so this object was skipped',
    ],
    [
      'an extensions/v1beta1 Ingress',
      { apiVersion: 'extensions/v1beta1', kind: 'Ingress' },
      'apiVersion: extensions/v1beta1 is not read; kube-as3 reads Ingress as networking.k8s.io/v1, so this object was skipped',
    ],
    [
      'a discovery.k8s.io/v1beta1 EndpointSlice',
      { apiVersion: 'discovery.k8s.io/v1beta1', kind: 'EndpointSlice' },
      'apiVersion: discovery.k8s.io/v1beta1 is not read; kube-as3 reads EndpointSlice as discovery.k8s.io/v1, so this object was skipped',
    ],
    [
      'an unknown cis.f5.com kind',
      { apiVersion: 'cis.f5.com/v1', kind: 'DeployConfig' },
      'kind: DeployConfig is not a cis.f5.com kind kube-as3 reads; this object was skipped',
    ],
    [
      'a CIS kind of a later version',
      { apiVersion: 'cis.f5.com/v1', kind: 'ExternalDNS' },
      'kind: ExternalDNS is not supported by this version of kube-as3 and was ignored; keep it for CIS or remove it (docs/migrating-from-cis.md)',
    ],
    ["NGINX's VirtualServer: not ours, no word", { apiVersion: 'k8s.nginx.org/v1', kind: 'VirtualServer' }, undefined],
    ['a Deployment: no word', { apiVersion: 'apps/v1', kind: 'Deployment' }, undefined],
    ['a ConfigMap: no word', { apiVersion: 'v1', kind: 'ConfigMap' }, undefined],
    ['v1 Endpoints are not EndpointSlices: no word', { apiVersion: 'v1', kind: 'Endpoints' }, undefined],
    ['a NetworkPolicy is not a Policy: no word', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' }, undefined],
    [
      'a core kind misspelt',
      { apiVersion: 'v1', kind: 'Secrets' },
      'kind: Secrets is not a kind kube-as3 reads; did you mean Secret? This object was skipped',
    ],
    ['an object kube-as3 reads', { apiVersion: 'cis.f5.com/v1', kind: 'VirtualServer' }, undefined],
  ];
  for (const [what, obj, expected] of cases) {
    it(what, () => {
      const warning = skipWarning(obj);
      assert.equal(warning === undefined ? undefined : `${warning.field}: ${warning.message}`, expected);
    });
  }
});
