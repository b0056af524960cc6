import { Command, CommanderError, Option } from 'commander';
import type { CliIo } from './io.js';
import { EXIT_FATAL, processIo } from './io.js';
import { runPlan } from './plan-command.js';
import type { PlanOptions } from './plan-command.js';

const VERSION = '0.1.0';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function buildProgram(io: CliIo, done: (code: number) => void): Command {
  const program = new Command('kube-as3')
    .description('Kubernetes (Ingress, CIS VirtualServer/TransportServer, LoadBalancer Services) to F5 BIG-IP AS3')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command('plan')
    .description('translate Kubernetes objects from files into the AS3 declaration (no cluster or BIG-IP needed)')
    .option('-f, --filename <path>', 'file or directory of Kubernetes objects (YAML/JSON); repeatable', collect)
    .option('--config <file>', 'kube-as3 config file (YAML)')
    .addOption(new Option('-o, --output <format>', 'json (the AS3 declaration) or summary (a table)').default('json'))
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .action(async (options: PlanOptions) => done(await runPlan(options, io)));

  return program;
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and resolves to the exit code.
 * Usage errors print commander's message and give 1, as SPEC §9 requires.
 */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
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
