/**
 * BIG-IP credentials (docs/cli.md, "How apply changes the BIG-IP", §9): from files (`--bigip-credentials-dir`, a mounted Kubernetes
 * Secret with `username` and `password`) or the environment (`BIGIP_USERNAME`/`BIGIP_PASSWORD`),
 * never from flags. The password must never reach a log line, an error message or a serialized
 * object, so the Credentials object hides it from JSON.stringify, util.inspect and object spread.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';

export interface Credentials {
  readonly username: string;
  /** Non-enumerable on objects made by createCredentials: invisible to JSON.stringify and util.inspect. */
  readonly password: string;
}

export interface LoadCredentialsOptions {
  /** Where BIGIP_USERNAME/BIGIP_PASSWORD are read; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** A directory with the files `username` and `password`; when given it wins over the environment. */
  credentialsDir?: string;
}

export const REDACTED = '[redacted]';

/** Holds the password in a non-enumerable property and prints itself without it. */
class RedactedCredentials implements Credentials {
  readonly username: string;
  declare readonly password: string;

  constructor(username: string, password: string) {
    this.username = username;
    Object.defineProperty(this, 'password', { value: password, enumerable: false, writable: false, configurable: false });
  }

  toJSON(): { username: string; password: string } {
    return { username: this.username, password: REDACTED };
  }

  toString(): string {
    return `Credentials(${this.username}, password ${REDACTED})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Wraps a username and password so that printing or serializing them never shows the password. */
export function createCredentials(username: string, password: string): Credentials {
  return new RedactedCredentials(username, password);
}

/**
 * Replaces every occurrence of the given secrets in `text` by `[redacted]`. Used on text that came
 * from elsewhere (a device's error message, an exception) before it goes into an error or a log,
 * in case it echoes a password or token back.
 */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret) result = result.split(secret).join(REDACTED);
  }
  return result;
}

/**
 * Reads the credentials. The directory wins when given (a mounted Secret is the deliberate
 * choice in a cluster); otherwise the environment. Throws an Error naming what is missing —
 * never its value.
 */
export function loadCredentials(options: LoadCredentialsOptions = {}): Credentials {
  if (options.credentialsDir !== undefined) return fromDirectory(options.credentialsDir);
  return fromEnvironment(options.env ?? process.env);
}

function fromDirectory(dir: string): Credentials {
  const username = readCredentialFile(dir, 'username').trim();
  const password = stripTrailingNewlines(readCredentialFile(dir, 'password'));
  if (!username) throw new Error(`BIG-IP credentials: file ${join(dir, 'username')} is empty`);
  if (!password) throw new Error(`BIG-IP credentials: file ${join(dir, 'password')} is empty`);
  return createCredentials(username, password);
}

function readCredentialFile(dir: string, name: 'username' | 'password'): string {
  const path = join(dir, name);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    // Only the error code: the message of a read error never carries file contents, but stay minimal.
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`BIG-IP credentials: cannot read ${path} (${code}); the directory must contain the files username and password`);
  }
}

function fromEnvironment(env: Readonly<Record<string, string | undefined>>): Credentials {
  const username = env['BIGIP_USERNAME']?.trim();
  const password = env['BIGIP_PASSWORD'] === undefined ? undefined : stripTrailingNewlines(env['BIGIP_PASSWORD']);
  if (!username || !password) {
    const missing = [username ? undefined : 'BIGIP_USERNAME', password ? undefined : 'BIGIP_PASSWORD'].filter(Boolean);
    throw new Error(
      `BIG-IP credentials: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set; ` +
        'set BIGIP_USERNAME and BIGIP_PASSWORD, or give a credentials directory with the files username and password',
    );
  }
  return createCredentials(username, password);
}

/**
 * Secret files usually end in a newline (`echo pass > password`); it is not part of the password.
 * Other whitespace is kept: it may be.
 */
function stripTrailingNewlines(text: string): string {
  return text.replace(/[\r\n]+$/, '');
}
