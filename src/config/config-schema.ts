/**
 * JSON schema of the config file. Defaults live here and are filled in by Ajv (`useDefaults`), so
 * there is one place that says what an omitted key means. The Helm chart's values schema points
 * users to the same keys. Every `pattern` has a `patternText`: what error messages say a value
 * must be, since a regular expression means nothing to most readers.
 */

const NAMESPACED_NAME = {
  type: 'string',
  pattern: '^[a-z0-9][-a-z0-9.]*/[a-z0-9][-a-z0-9.]*$',
  patternText: '"namespace/name" (lower-case letters, digits, "-" and ".")',
};

const partitionName = {
  type: 'string',
  pattern: '^[A-Za-z][0-9A-Za-z_.-]{0,63}$',
  patternText: 'a BIG-IP partition name: a letter, then at most 63 letters, digits, "_", "." or "-"',
  not: { enum: ['Common'] },
  description: 'BIG-IP partition (AS3 tenant); Common is reserved for the system',
};

export const configSchema = {
  $id: 'https://kube-as3.dev/schemas/config.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    bigip: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        url: { type: 'string', pattern: '^https?://[^\\s/]+(:[0-9]+)?/?$', patternText: 'https://host[:port] (http:// only for labs)' },
        partition: { ...partitionName, default: 'kubernetes' },
        insecure: { type: 'boolean', default: false },
        caFile: { type: 'string', minLength: 1 },
        credentialsDir: { type: 'string', minLength: 1 },
      },
    },
    poolMemberType: { enum: ['nodeport', 'cluster', 'nodeportlocal', 'auto'], default: 'nodeport' },
    nodeLabelSelector: { type: 'string', default: '' },
    useNodeInternal: { type: 'boolean', default: true },
    includeUnschedulableNodes: { type: 'boolean', default: true },
    namespaces: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, default: [] },
    namespaceLabel: { type: 'string', minLength: 1 },
    customResourceLabel: { type: 'string', default: 'f5cr in (true)' },
    ingressClass: { type: 'string', minLength: 1, default: 'f5' },
    manageIngressClassOnly: { type: 'boolean', default: false },
    defaultIngressAddress: { type: 'string', minLength: 1 },
    defaultIngressIpamLabel: { type: 'string', minLength: 1 },
    loadBalancerClass: { type: 'string', minLength: 1 },
    manageLoadBalancerClassOnly: { type: 'boolean', default: false },
    multiCluster: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mode: { enum: ['default', 'active-active', 'active-standby', 'ratio'], default: 'active-active' },
        localClusterName: { type: 'string', minLength: 1 },
        extendedSpecConfigMap: NAMESPACED_NAME,
        clusters: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: {
              name: {
                type: 'string',
                pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$',
                patternText: 'a DNS label: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit',
              },
              kubeconfigFile: { type: 'string', minLength: 1 },
              kubeconfigSecret: NAMESPACED_NAME,
              ratio: { type: 'integer', minimum: 0, maximum: 100, default: 1 },
              adminState: { enum: ['enable', 'disable', 'offline', 'no-pool'], default: 'enable' },
              primary: { type: 'boolean', default: false },
            },
          },
        },
      },
    },
    ipam: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        ranges: {
          type: 'object',
          default: {},
          additionalProperties: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        },
        reallocate: { type: 'boolean', default: false },
      },
    },
    as3: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        schemaVersion: {
          type: 'string',
          pattern: '^3\\.[0-9]+(\\.[0-9]+)?$',
          patternText: 'an AS3 schema version such as 3.56.0',
          default: '3.56.0',
        },
        instance: {
          type: 'string',
          pattern: '^[a-z0-9]([-a-z0-9.]{0,38}[a-z0-9])?$',
          default: 'default',
          patternText: 'at most 40 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit',
        },
        postDelayMs: { type: 'integer', minimum: 0, default: 0 },
        maxRetries: { type: 'integer', minimum: 0, maximum: 100, default: 5 },
        asyncThresholdMs: { type: 'integer', minimum: 0, default: 30000 },
        schemaFile: { type: 'string', minLength: 1 },
        schemaCacheDir: { type: 'string', minLength: 1 },
      },
    },
  },
} as const;
