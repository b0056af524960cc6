import type { Ingress, IngressClass } from '../kube/types.js';
import type { NormalizeContext } from './context.js';

/** The `spec.controller` an IngressClass names when kube-as3 (like CIS) serves it. */
export const INGRESS_CONTROLLER = 'f5.com/cntr-ingress-svcs';
/** The pre-IngressClass way of choosing a controller, still honoured as CIS does. */
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
/** Marks the IngressClass that Ingresses without a class belong to. */
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

/**
 * Whether an Ingress belongs to this controller, and how that was decided. An Ingress of another
 * class belongs to another controller: it gets no claims and no diagnostics, only the `reason`
 * (which a caller may log at debug level).
 */
export type IngressClassDecision =
  | { ours: true; via: 'ingressClassName' | 'annotation' | 'default'; warning?: { field: string; message: string } }
  | { ours: false; reason: string };

function annotation(ing: Ingress, name: string): unknown {
  return ing.metadata?.annotations?.[name];
}

function isOurController(cls: IngressClass | undefined): boolean {
  return cls?.spec?.controller === INGRESS_CONTROLLER;
}

function byClassName(name: string, ctx: NormalizeContext): IngressClassDecision {
  const wanted = ctx.config.ingressClass;
  if (name !== wanted) return { ours: false, reason: `its class ${name} is not ${wanted}` };
  // Recorded lookup: creating, changing or deleting the IngressClass re-translates the Ingress.
  const cls = ctx.get<IngressClass>('IngressClass', '', name);
  if (cls === undefined) {
    // Kubernetes does not require the IngressClass to exist, and offline inputs often leave
    // cluster-scoped objects out. The name is the one this controller is configured to serve, so
    // the Ingress is served, with a warning that tells the user what is missing.
    return {
      ours: true,
      via: 'ingressClassName',
      warning: {
        field: 'spec.ingressClassName',
        message: `IngressClass ${name} does not exist; the Ingress is served because ${name} is the class kube-as3 is configured for. Create the IngressClass with spec.controller: ${INGRESS_CONTROLLER}`,
      },
    };
  }
  if (!isOurController(cls)) {
    return { ours: false, reason: `IngressClass ${name} names controller ${String(cls.spec?.controller)}, not ${INGRESS_CONTROLLER}` };
  }
  return { ours: true, via: 'ingressClassName' };
}

function isDefaultClass(cls: IngressClass): boolean {
  return cls.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true';
}

function byDefaultClass(ctx: NormalizeContext): IngressClassDecision {
  if (ctx.config.manageIngressClassOnly) {
    return { ours: false, reason: 'it names no class and manageIngressClassOnly is set' };
  }
  // Unrecorded list: any IngressClass change re-normalizes every Ingress.
  const defaults = ctx.list<IngressClass>('IngressClass').filter(isDefaultClass);
  const ours = defaults.filter(isOurController);
  if (ours.length === 0) return { ours: false, reason: `it names no class and no default IngressClass names controller ${INGRESS_CONTROLLER}` };
  const others = defaults.filter((c) => !isOurController(c)).map((c) => c.metadata?.name ?? '').sort();
  if (others.length === 0) return { ours: true, via: 'default' };
  return {
    ours: true,
    via: 'default',
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
    return legacy === ctx.config.ingressClass
      ? { ours: true, via: 'annotation' }
      : { ours: false, reason: `its ${LEGACY_CLASS_ANNOTATION} annotation ${legacy} is not ${ctx.config.ingressClass}` };
  }
  return byDefaultClass(ctx);
}

/** True when this controller serves the Ingress (see `ingressClassDecision`). */
export function ingressIsOurs(ing: Ingress, ctx: NormalizeContext): boolean {
  return ingressClassDecision(ing, ctx).ours;
}
