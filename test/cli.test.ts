/**
 * The `kube-as3 plan` contract of docs/cli.md: exit codes, stdout/stderr split, `Kind ns/name: message`
 * lines, config validation. Most cases run the CLI in-process; one runs the installed binary.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertOfficialSchemaValid, repoRoot } from './support/as3-validation.js';
import { runCliCaptured } from './support/run-cli.js';

const example = join(repoRoot, 'examples', 'single-cluster');
const exampleConfig = join(example, 'kube-as3.yaml');

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kube-as3-cli-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('kube-as3 plan (CLI contract)', () => {
  it('prints the declaration as JSON on stdout and exits 0 when everything translated', async () => {
    const run = await runCliCaptured(['plan', '-f', example, '--config', exampleConfig]);
    assert.equal(run.stderr, '');
    assert.equal(run.code, 0);
    const declaration = JSON.parse(run.stdout) as { declaration: Record<string, unknown> };
    assert.ok(declaration.declaration['shop'], 'tenant from the config partition');
  });

  it('prints a summary table with -o summary', async () => {
    const run = await runCliCaptured(['plan', '-f', example, '--config', exampleConfig, '-o', 'summary']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^TENANT\s+VIRTUAL\s+LISTENER\s+TYPE\s+HOST\s+PATH\s+POOL\s+MEMBERS\s+FROM$/m);
    assert.match(
      run.stdout,
      /shop\s+shop_web_80\s+10\.1\.10\.50:80\s+http\s+shop\.example\.com\s+\/api\s+orders_api_api_shop\s+2\s+VirtualServer shop\/shop/,
    );
    assert.match(run.stdout, /1 tenant\(s\), 2 virtual\(s\), 3 pool\(s\)/);
  });

  it('-o summary lists a virtual without pools (POOL -) and a performance TransportServer as TYPE l4', async () => {
    const inputs = tempFile(
      'objects.yaml',
      [
        'apiVersion: cis.f5.com/v1\nkind: VirtualServer\nmetadata: {name: placeholder, namespace: shop, labels: {f5cr: "true"}}\nspec: {virtualServerAddress: 10.1.10.60, host: soon.example.com}',
        'apiVersion: v1\nkind: Service\nmetadata: {name: mqtt, namespace: iot}\nspec: {type: NodePort, ports: [{port: 1883, nodePort: 31883}]}',
        'apiVersion: cis.f5.com/v1\nkind: TransportServer\nmetadata: {name: mqtt, namespace: iot, labels: {f5cr: "true"}}\nspec: {virtualServerAddress: 10.1.10.61, virtualServerPort: 1883, mode: performance, pool: {service: mqtt, servicePort: 1883}}',
      ].join('\n---\n'),
    );
    const json = await runCliCaptured(['plan', '-f', inputs]);
    const summary = await runCliCaptured(['plan', '-f', inputs, '-o', 'summary']);
    assert.equal(summary.code, 0, summary.stderr);
    const tenant = (JSON.parse(json.stdout) as { declaration: Record<string, Record<string, Record<string, { class?: string }>>> })
      .declaration['kubernetes'];
    assert.equal(tenant?.['crd_10_1_10_60_80']?.['crd_10_1_10_60_80']?.class, 'Service_HTTP', '-o json deploys the pool-less virtual');
    assert.equal(tenant?.['crd_10_1_10_61_1883']?.['crd_10_1_10_61_1883']?.class, 'Service_L4');
    assert.match(summary.stdout, /^kubernetes +crd_10_1_10_60_80 +10\.1\.10\.60:80 +http +- +- +- +0 +VirtualServer shop\/placeholder$/m);
    assert.match(
      summary.stdout,
      /^kubernetes +crd_10_1_10_61_1883 +10\.1\.10\.61:1883 +l4 +- +- +mqtt_1883_iot +0 +TransportServer iot\/mqtt$/m,
    );
    assert.match(summary.stdout, /^1 tenant\(s\), 2 virtual\(s\), 1 pool\(s\)/m);
  });

  it('exits 2 with one `Kind ns/name: message` line per problem and still prints the rest', async () => {
    const bad = tempFile(
      'bad.yaml',
      [
        'apiVersion: cis.f5.com/v1\nkind: VirtualServer\nmetadata: {name: dup, namespace: shop, labels: {f5cr: "true"}}',
        'spec: {virtualServerAddress: 10.1.10.50, host: shop.example.com, pools: [{path: /, service: storefront, servicePort: 80}]}',
      ].join('\n'),
    );
    const run = await runCliCaptured(['plan', '-f', example, '-f', bad, '--config', exampleConfig]);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      'VirtualServer shop/dup: spec.pools[0].path: shop.example.com/ on 10.1.10.50:80 is already routed by VirtualServer shop/shop (the older resource keeps it)\n',
    );
    assert.ok(JSON.parse(run.stdout).declaration.shop.crd_10_1_10_50_80, 'the good resources are still in the declaration');
  });

  it('plans with a config key that has no effect, saying so on stderr', async () => {
    const config = tempFile('config.yaml', 'bigip: {partition: shop}\npoolMemberType: cluster\nas3: {asyncThresholdMs: 10000}\n');
    const run = await runCliCaptured(['plan', '-f', example, '--config', config]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.startsWith('{'));
    assert.equal(
      run.stderr.split('\n')[0],
      `config ${config}: warning: as3.asyncThresholdMs: has no effect: every change is posted asynchronously and followed until AS3 has finished it; remove it`,
    );
  });

  it('exits 1 listing every config error, each as `dotted.path: sentence`, unknown keys with their likely fix', async () => {
    const config = tempFile(
      'config.yaml',
      'bigip: {partition: Common, url: bigip.example.net}\npoolMemberType: flannel\nas3: {maxRetrys: 3}\nnodeLabelSelector: "a b"\n',
    );
    const run = await runCliCaptured(['plan', '-f', example, '--config', config]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr,
      [
        `config ${config} is invalid:`,
        '  bigip.url: must be https://host[:port] (http:// only for labs)',
        '  bigip.partition: the Common partition is reserved for the BIG-IP system and cannot be managed',
        '  poolMemberType: must be one of "nodeport", "cluster", "nodeportlocal", "auto"',
        '  as3.maxRetrys: unknown field; did you mean maxRetries?',
        '  nodeLabelSelector: label selector "a b": cannot parse "a b"',
        '',
      ].join('\n'),
    );
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['no inputs', ['plan'], /give the inputs with -f/],
    ['an unknown output format', ['plan', '-f', example, '-o', 'yaml'], /-o must be json or summary/],
    ['an unknown option', ['plan', '--bogus'], /unknown option '--bogus'/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['a missing config file', ['plan', '-f', example, '--config', '/nonexistent/kube-as3.yaml'], /cannot read: ENOENT/],
  ];
  for (const [what, args, message] of usage) {
    it(`exits 1 on ${what}`, async () => {
      const run = await runCliCaptured(args);
      assert.equal(run.code, 1);
      assert.match(run.stderr, message);
    });
  }

  it('exits 1 on an input path that does not exist: planning without it would delete what it describes', async () => {
    const run = await runCliCaptured(['plan', '-f', example, '-f', '/nonexistent/dir', '--config', exampleConfig]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr,
      'error: -f /nonexistent/dir: does not exist; nothing was planned, since without it what it describes would look deleted\n',
    );
  });

  it('exits 1 on a folder without a .yaml, .yml or .json file (the config file beside it does not count)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kube-as3-cli-'));
    writeFileSync(join(dir, 'notes.txt'), 'not an input\n');
    writeFileSync(join(dir, 'kube-as3.yaml'), 'poolMemberType: cluster\n');
    const run = await runCliCaptured(['plan', '-f', dir, '--config', join(dir, 'kube-as3.yaml')]);
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr,
      `error: -f ${dir}: holds no .yaml, .yml or .json file; nothing was planned, since without it what it describes would look deleted\n`,
    );
  });

  it('warns about an unknown field of a VirtualServer, naming the field and its likely fix, and still translates it', async () => {
    const typo = tempFile(
      'typo.yaml',
      [
        'apiVersion: cis.f5.com/v1\nkind: VirtualServer\nmetadata: {name: typo, namespace: shop, labels: {f5cr: "true"}}',
        'spec: {virtualServerAddress: 10.1.10.60, host: typo.example.com, pools: [{path: /, service: storefront, servicePort: 80, loadBalancingMetod: least-connections-member}]}',
      ].join('\n'),
    );
    const run = await runCliCaptured(['plan', '-f', example, '-f', typo, '--config', exampleConfig]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stderr,
      'VirtualServer shop/typo: warning: spec.pools[0].loadBalancingMetod: unknown field; did you mean loadBalancingMethod?\n',
    );
    assert.ok(JSON.parse(run.stdout).declaration.shop.crd_10_1_10_60_80, 'the VirtualServer is translated');
  });
});

describe('bin/kube-as3.js (the installed executable)', () => {
  it('plans the bundled example into a declaration the official AS3 schema accepts', function () {
    const run = spawnSync(process.execPath, [join(repoRoot, 'bin', 'kube-as3.js'), 'plan', '-f', example, '--config', exampleConfig], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assertOfficialSchemaValid(this, JSON.parse(run.stdout));
  });

  it('prints help with the plan command', () => {
    const run = spawnSync(process.execPath, [join(repoRoot, 'bin', 'kube-as3.js'), '--help'], { encoding: 'utf8' });
    assert.equal(run.status, 0);
    assert.match(run.stdout, /plan \[options\]/);
  });

  it('run --help points to the install docs (Helm chart, image)', async () => {
    const run = await runCliCaptured(['run', '--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /docs\/install\.md/);
    assert.match(run.stdout, /docs\/image\.md/);
  });
});
