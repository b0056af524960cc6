import type { Ingress, IngressClass } from '../kube/types.js';
import type { NormalizeContext } from './context.js';

/** The `spec.controller` an IngressClass names when kube-as3 (like CIS) serves it. */
export const INGRESS_CONTROLLER = 'f5.com/cntr-ingress-svcs';
/** The pre-IngressClass way of choosing a controller, still honoured as CIS does. */
const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
/** Marks the IngressClass that Ingresses without a class belong to. */
const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

/**
 * Whether an Ingress belongs to this controller. An Ingress of another class belongs to another
 * controller: it gets no claims and no diagnostics. One of ours may come with a warning about how
 * its class was chosen.
 */
export type IngressClassDecision = { ours: true; warning?: { field: string; message: string } } | { ours: false };

const OURS: IngressClassDecision = Object.freeze({ ours: true });
const NOT_OURS: IngressClassDecision = Object.freeze({ ours: false });

function annotation(ing: Ingress, name: string): unknown {
  return ing.metadata?.annotations?.[name];
}

function isOurController(cls: IngressClass | undefined): boolean {
  return cls?.spec?.controller === INGRESS_CONTROLLER;
}

function byClassName(name: string, ctx: NormalizeContext): IngressClassDecision {
  const wanted = ctx.config.ingressClass;
  if (name !== wanted) return NOT_OURS;
  // Recorded lookup: creating, changing or deleting the IngressClass re-translates the Ingress.
  const cls = ctx.get<IngressClass>('IngressClass', '', name);
  if (cls === undefined) {
    // Kubernetes does not require the IngressClass to exist, and offline inputs often leave
    // cluster-scoped objects out. The name is the one this controller is configured to serve, so
    // the Ingress is served, with a warning that tells the user what is missing.
    return {
      ours: true,
      warning: {
        field: 'spec.ingressClassName',
        message: `IngressClass ${name} does not exist; the Ingress is served because ${name} is the class kube-as3 is configured for. Create the IngressClass with spec.controller: ${INGRESS_CONTROLLER}`,
      },
    };
  }
  // The class name is ours, but its IngressClass hands the Ingresses to another controller.
  return isOurController(cls) ? OURS : NOT_OURS;
}

function isDefaultClass(cls: IngressClass): boolean {
  return cls.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true';
}

function byDefaultClass(ctx: NormalizeContext): IngressClassDecision {
  if (ctx.config.manageIngressClassOnly) return NOT_OURS;
  // Unrecorded list: any IngressClass change re-normalizes every Ingress.
  const defaults = ctx.list<IngressClass>('IngressClass').filter(isDefaultClass);
  const ours = defaults.filter(isOurController);
  if (ours.length === 0) return NOT_OURS;
  const others = defaults
    .filter((c) => !isOurController(c))
    .map((c) => c.metadata?.name ?? '')
    .sort();
  if (others.length === 0) return OURS;
  return {
    ours: true,
    warning: {
      field: 'spec.ingressClassName',
      message: `several IngressClasses are marked default (also ${others.join(', ')}, of other controllers); set spec.ingressClassName so that one controller serves this Ingress`,
    },
  };
}

/**
 * Decides whether this controller serves an Ingress, as CIS does: `spec.ingressClassName` equal to
 * the configured class (whose IngressClass names controller f5.com/cntr-ingress-svcs), else the
 * legacy `kubernetes.io/ingress.class` annotation equal to it, else (no class at all, unless
 * `manageIngressClassOnly`) a default IngressClass of this controller.
 */
export function ingressClassDecision(ing: Ingress, ctx: NormalizeContext): IngressClassDecision {
  const className = ing.spec?.ingressClassName;
  if (typeof className === 'string' && className !== '') return byClassName(className, ctx);
  const legacy = annotation(ing, LEGACY_CLASS_ANNOTATION);
  if (typeof legacy === 'string' && legacy !== '') {
    return legacy === ctx.config.ingressClass ? OURS : NOT_OURS;
  }
  return byDefaultClass(ctx);
}
