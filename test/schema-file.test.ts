/**
 * `as3.schemaFile` in plan, diff and apply alike (issue 13): a file that cannot be used is a config
 * error (exit 1) in every command, and an application the schema refuses is withheld by all three:
 * apply does not send it, plan leaves it out of the declaration and diff out of the changes, each
 * with an error on the resource it comes from. The schema here is a stand-in for the official
 * one (same `$id` + `#/definitions/AS3` shape) that refuses one application by name.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeBigip } from './support/fake-bigip.js';
import type { FakeBigip } from './support/fake-bigip.js';
import { runCliCaptured } from './support/run-cli.js';

const REFUSED = 'crd_10_1_1_9_80';
const SCHEMA = {
  $id: 'https://example.test/as3-stand-in.json',
  definitions: {
    AS3: {
      type: 'object',
      properties: {
        declaration: {
          type: 'object',
          additionalProperties: { if: { type: 'object' }, then: { not: { required: [REFUSED] } } },
        },
      },
    },
  },
};

const VIRTUALS = ['web', 'bad'].map((name, i) =>
  [
    `apiVersion: cis.f5.com/v1\nkind: VirtualServer\nmetadata: {name: ${name}, namespace: shop, labels: {f5cr: "true"}}`,
    `spec: {host: ${name}.example.com, virtualServerAddress: 10.1.1.${i === 0 ? 1 : 9}, pools: [{path: /, service: web, servicePort: 80}]}`,
  ].join('\n'),
);

describe('as3.schemaFile in plan, diff and apply', () => {
  let fake: FakeBigip;
  let dir: string;
  const config = (schemaFile: string): string => {
    const path = join(dir, 'kube-as3.yaml');
    writeFileSync(path, `poolMemberType: cluster\nbigip: {partition: shop}\nas3: {instance: it, schemaFile: ${schemaFile}}\n`);
    return path;
  };
  const args = (command: string, configPath: string): string[] => {
    const base = [command, '-f', join(dir, 'objects.yaml'), '--config', configPath];
    if (command === 'plan') return base;
    if (command === 'diff') return [...base, '--against', join(dir, 'empty.json')];
    return [...base, '--bigip-url', fake.url, '--bigip-credentials-dir', dir];
  };

  beforeEach(async () => {
    fake = await startFakeBigip({ asyncPollsBeforeDone: 0 });
    dir = mkdtempSync(join(tmpdir(), 'kube-as3-schema-file-'));
    writeFileSync(join(dir, 'username'), 'admin\n');
    writeFileSync(join(dir, 'password'), 'admin\n');
    writeFileSync(join(dir, 'schema.json'), JSON.stringify(SCHEMA));
    writeFileSync(join(dir, 'empty.json'), '');
    writeFileSync(
      join(dir, 'objects.yaml'),
      [
        'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{name: http, port: 80, targetPort: 8080}]}',
        ...VIRTUALS,
      ].join('\n---\n'),
    );
  });
  afterEach(async () => {
    await fake.close();
  });

  for (const command of ['plan', 'diff', 'apply']) {
    it(`${command}: a schema file that does not exist is a config error (exit 1), before anything is read or sent`, async () => {
      const configPath = config(join(dir, 'no-such-schema.json'));
      const run = await runCliCaptured(args(command, configPath));
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      assert.equal(
        run.stderr,
        `config ${configPath} is invalid:\n  as3.schemaFile: cannot read ${join(dir, 'no-such-schema.json')} (ENOENT)\n`,
      );
      assert.equal(fake.posts.length, 0);
    });

    it(`${command}: a file that is not an AS3 schema is a config error (exit 1)`, async () => {
      writeFileSync(join(dir, 'not-a-schema.json'), '{"$id": "x"}');
      const configPath = config(join(dir, 'not-a-schema.json'));
      const run = await runCliCaptured(args(command, configPath));
      assert.equal(run.code, 1);
      assert.match(run.stderr, /^ {2}as3\.schemaFile: .*not-a-schema\.json is not the official AS3 schema: /m);
    });

    it(`${command}: withholds the application the schema refuses, with an error on its resource, and keeps the rest`, async () => {
      const run = await runCliCaptured(args(command, config(join(dir, 'schema.json'))));
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`^VirtualServer shop/bad: application shop/${REFUSED}: .*$`, 'm'));
      assert.doesNotMatch(run.stderr, /VirtualServer shop\/web:/);
      if (command === 'plan') {
        const tenant = (JSON.parse(run.stdout) as { declaration: Record<string, Record<string, unknown>> }).declaration['shop'] ?? {};
        assert.deepEqual(
          Object.keys(tenant).filter((k) => k.startsWith('crd_')),
          ['crd_10_1_1_1_80'],
        );
      } else if (command === 'diff') {
        assert.match(run.stdout, /^tenant shop: create \(1 application\)$/m);
        assert.doesNotMatch(run.stdout, new RegExp(REFUSED));
      } else {
        assert.ok(fake.tenants()['shop']?.['crd_10_1_1_1_80']);
        assert.equal(fake.tenants()['shop']?.[REFUSED], undefined);
      }
    });
  }
});
