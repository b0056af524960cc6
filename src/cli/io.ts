/** Where the CLI writes and what `-f -` reads; tests pass buffers, the binary the process streams. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** All of standard input as text (read once, for `-f -` or `--cluster NAME=-`). */
  stdin?: () => Promise<string>;
}

/** Reads the process's standard input to its end. */
async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  stdin: readProcessStdin,
};

export const EXIT_OK = 0;
export const EXIT_FATAL = 1;
export const EXIT_REJECTED = 2;
