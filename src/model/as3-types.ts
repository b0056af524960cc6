/** The AS3 shapes kube-as3 emits (a subset of AS3 3.56; see as3-schemas/kube-as3-declaration.schema.json). */

export type As3Object = { class: string } & Record<string, unknown>;

export interface As3Application {
  class: 'Application';
  /** `shared` only for the tenant's `Shared` application (objects several applications use). */
  template: 'generic' | 'shared';
  [name: string]: unknown;
}

export interface As3Tenant {
  class: 'Tenant';
  label?: string;
  remark?: string;
  [application: string]: unknown;
}

export interface As3Adc {
  class: 'ADC';
  schemaVersion: string;
  id: string;
  label: string;
  remark: string;
  [tenant: string]: unknown;
}

export interface As3Declaration {
  class: 'AS3';
  action: 'deploy';
  persist: boolean;
  declaration: As3Adc;
}
