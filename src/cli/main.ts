import { Command, CommanderError, Option } from 'commander';
import { redactText } from '../lib/redact.js';
import type { CliIo } from './io.js';
import { EXIT_FATAL, processIo } from './io.js';
// Only types at the top: each command imports its implementation when it runs, so `--help`,
// `--version` and `plan` never load what `run` needs (the Kubernetes client, the HTTP client,
// the logger, metrics). test/cli-lazy-loading.test.ts pins this.
import type { ApplyOptions } from './apply-command.js';
import type { DiffOptions } from './diff-command.js';
import type { RunOptions } from './run-command.js';
import type { PlanOptions } from './plan-command.js';

const VERSION = '0.1.0';

/** Where `run --help` sends someone who wants the controller in a cluster. */
const RUN_HELP_FOOTER = `
Installing in a cluster: docs/install.md (the Helm chart) and docs/image.md (building and pushing
the container image), shipped in the package's docs/ folder.`;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `-f` and `--config`, as `plan` has them. */
function withInputs(command: Command, io: CliIo): Command {
  return command
    .option(
      '-f, --filename <path>',
      'file or directory of Kubernetes objects (YAML/JSON) of the (local) cluster, or - for standard input (kubectl get ... -o json | kube-as3 plan -f -); repeatable',
      collect,
    )
    .option(
      '--cluster <name=path>',
      'file or directory of one cluster of a cluster set, or - for standard input (once in all); repeatable (several clusters, or several paths per cluster)',
      collect,
    )
    .option('--config <file>', 'kube-as3 config file (YAML)')
    .option('--ipam-state <file>', 'IPAM allocations: read, and updated with new ones (created when missing)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
}

/** How to reach the BIG-IP; credentials only from BIGIP_USERNAME/BIGIP_PASSWORD or a directory. */
function withBigip(command: Command): Command {
  return command
    .option('--bigip-url <url>', 'BIG-IP management URL, https://host[:port] (default: bigip.url of the config)')
    .option('--bigip-credentials-dir <dir>', 'directory with files username and password (default: BIGIP_USERNAME/BIGIP_PASSWORD)')
    .option('--insecure', "do not verify the BIG-IP's TLS certificate (labs only)")
    .option('--ca-file <file>', "PEM CA bundle that signed the BIG-IP's certificate");
}

function buildProgram(io: CliIo, done: (code: number) => void): Command {
  const program = new Command('kube-as3')
    .description('Kubernetes (Ingress, CIS VirtualServer/TransportServer, LoadBalancer Services) to F5 BIG-IP AS3')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  withInputs(program.command('plan'), io)
    .description('translate Kubernetes objects from files into the AS3 declaration (no cluster or BIG-IP needed)')
    .addOption(new Option('-o, --output <format>', 'json (the AS3 declaration) or summary (a table)').default('json'))
    .action(async (options: PlanOptions) => done(await (await import('./plan-command.js')).runPlan(options, io)));

  withBigip(
    withInputs(program.command('diff'), io)
      .description('show what apply would change, per tenant and application, against a saved declaration or a BIG-IP')
      .option('--against <file>', 'a saved AS3 declaration (JSON or YAML) to compare with')
      .addOption(new Option('-o, --output <format>', 'text (readable) or json (RFC 6902 patch per tenant)').default('text')),
  ).action(async (options: DiffOptions) => done(await (await import('./diff-command.js')).runDiff(options, io)));

  withBigip(
    withInputs(program.command('apply'), io)
      .description('plan, then post only what changed to the BIG-IP and wait for AS3; exit 0 only when the BIG-IP holds the desired state')
      .option('--allow-delete-all', 'let inputs without any resource delete every tenant this instance owns'),
  ).action(async (options: ApplyOptions) => done(await (await import('./apply-command.js')).runApply(options, io)));

  withBigip(
    program
      .command('run')
      .description('the controller: watch the clusters, keep the BIG-IP in sync, write statuses (stops on SIGTERM/SIGINT)')
      .option('--config <file>', 'kube-as3 config file (YAML)')
      .option(
        '--kubeconfig <file>',
        'kubeconfig of the local cluster (default: in-cluster service account, or $KUBECONFIG / ~/.kube/config)',
      )
      .option('--namespace <ns>', 'namespace of the controller, where its IPAMAllocation object lives (default: $POD_NAMESPACE or default)')
      .option('--port <port>', '/healthz, /readyz and /metrics port', '8080')
      .option('--no-leader-election', 'reconcile without holding the Lease kube-as3-<instance> (run exactly one replica)')
      .option('--manifests <dir>', 'follow a folder of Kubernetes objects instead of a cluster (no statuses are written)')
      .option('--ipam-state <file>', 'with --manifests: IPAM allocations kept in this file')
      .addHelpText('after', RUN_HELP_FOOTER)
      .exitOverride()
      .configureOutput({ writeOut: io.stdout, writeErr: io.stderr }),
  ).action(async (options: RunOptions) => done(await (await import('./run-command.js')).runWithSignals(options, io)));

  return program;
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and resolves to the exit code.
 * Usage errors print commander's message and give 1, as docs/cli.md requires.
 */
export async function runCli(argv: string[], output: CliIo = processIo): Promise<number> {
  // stderr never shows a private key, whatever a message echoes; stdout is redacted where it is
  // produced, since `plan -o json` is the declaration itself and must keep its keys.
  const io: CliIo = {
    stdout: (text) => output.stdout(text),
    stderr: (text) => output.stderr(redactText(text)),
    ...(output.stdin ? { stdin: output.stdin } : {}),
  };
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : EXIT_FATAL;
    }
    io.stderr(`error: ${(err as Error).message}\n`);
    return EXIT_FATAL;
  }
  return code;
}
