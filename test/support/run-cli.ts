import { runCli } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in-process with captured output (the binary itself is covered by cli.test.ts);
 * `stdin` is what `-f -` reads (nothing, when not given).
 */
export async function runCliCaptured(args: string[], stdin?: string): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: (t: string) => void (stdout += t),
    stderr: (t: string) => void (stderr += t),
    stdin: () => Promise.resolve(stdin ?? ''),
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}
