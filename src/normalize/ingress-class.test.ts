import assert from 'node:assert/strict';
import { defaultConfig } from '../config/parse-config.js';
import type { Ingress, IngressClass, KubeObject } from '../kube/types.js';
import { contextFor } from '../../test/support/fixtures.js';
import { INGRESS_CONTROLLER, ingressClassDecision } from './ingress-class.js';

function ingressClass(name: string, controller: string, isDefault = false): IngressClass {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name, ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}) },
    spec: { controller },
  };
}

function ingress(className?: string, legacy?: string): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { namespace: 'shop', name: 'web', ...(legacy ? { annotations: { 'kubernetes.io/ingress.class': legacy } } : {}) },
    spec: { ...(className ? { ingressClassName: className } : {}) },
  };
}

const ours = ingressClass('f5', INGRESS_CONTROLLER);
const oursDefault = ingressClass('f5', INGRESS_CONTROLLER, true);
const nginx = ingressClass('nginx', 'k8s.io/ingress-nginx');
const nginxDefault = ingressClass('nginx', 'k8s.io/ingress-nginx', true);
const f5NamedForOther = ingressClass('f5', 'example.com/other-controller');

describe('ingressClassDecision', () => {
  const cases: Array<{ what: string; ing: Ingress; objects: KubeObject[]; classOnly?: boolean; ours: boolean; warning?: RegExp }> = [
    { what: 'ingressClassName of our class', ing: ingress('f5'), objects: [ours], ours: true },
    { what: 'ingressClassName of another class', ing: ingress('nginx'), objects: [ours, nginx], ours: false },
    { what: 'our class name whose IngressClass names another controller', ing: ingress('f5'), objects: [f5NamedForOther], ours: false },
    {
      what: 'our class name without an IngressClass object',
      ing: ingress('f5'),
      objects: [],
      ours: true,
      warning: /IngressClass f5 does not exist.*spec\.controller: f5\.com\/cntr-ingress-svcs/,
    },
    { what: 'the legacy annotation of our class', ing: ingress(undefined, 'f5'), objects: [], ours: true },
    { what: 'the legacy annotation of another class', ing: ingress(undefined, 'nginx'), objects: [oursDefault], ours: false },
    { what: 'ingressClassName winning over the legacy annotation', ing: ingress('nginx', 'f5'), objects: [ours, nginx], ours: false },
    { what: 'no class when our IngressClass is the default', ing: ingress(), objects: [oursDefault], ours: true },
    {
      what: 'no class when our default class is managed only by name',
      ing: ingress(),
      objects: [oursDefault],
      classOnly: true,
      ours: false,
    },
    { what: "no class when another controller's class is the default", ing: ingress(), objects: [ours, nginxDefault], ours: false },
    { what: 'no class and no default class', ing: ingress(), objects: [ours, nginx], ours: false },
    {
      what: 'no class when two classes claim to be the default',
      ing: ingress(),
      objects: [oursDefault, nginxDefault],
      ours: true,
      warning: /several IngressClasses are marked default \(also nginx/,
    },
  ];
  for (const c of cases) {
    it(`${c.ours ? 'serves' : 'leaves alone'} an Ingress with ${c.what}`, () => {
      const config = defaultConfig();
      config.manageIngressClassOnly = c.classOnly ?? false;
      const decision = ingressClassDecision(c.ing, contextFor(c.objects, config));
      assert.equal(decision.ours, c.ours);
      const warning = decision.ours ? decision.warning : undefined;
      if (c.warning) assert.match(warning?.message ?? '', c.warning);
      else assert.equal(warning, undefined);
    });
  }

  it('serves the class named in the configuration, not only f5', () => {
    const config = defaultConfig();
    config.ingressClass = 'bigip';
    const ctx = contextFor([ingressClass('bigip', INGRESS_CONTROLLER)], config);
    assert.deepEqual(
      [ingress('bigip'), ingress('f5'), ingress(undefined, 'bigip'), ingress(undefined, 'f5')].map(
        (ing) => ingressClassDecision(ing, ctx).ours,
      ),
      [true, false, true, false],
    );
  });

  it('records the IngressClass it read, so a change to it re-translates the Ingress', () => {
    const ctx = contextFor([ours]);
    ingressClassDecision(ingress('f5'), ctx);
    assert.deepEqual(ctx.takeDependencies(), [{ kind: 'IngressClass', namespace: '', name: 'f5' }]);
  });
});
