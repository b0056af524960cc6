import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { parseDocuments } from '../kube/documents.js';
import type { KubeObject } from '../kube/types.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import { diagnostic } from '../kube/diagnostic.js';

const INPUT_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** The path that means standard input (`-f -`), as for kubectl. */
export const STDIN_PATH = '-';

/** How objects read from standard input are named in messages (`File <stdin>: …`). */
export const STDIN_SOURCE = '<stdin>';

/** Reads all of standard input as text. */
export type StdinReader = () => Promise<string>;

/** An input path that gives nothing to read: planning without it would delete what it describes. */
export interface MissingInput {
  path: string;
  /**
   * Why: the path does not exist, it is a folder without a `.yaml`, `.yml` or `.json` file, or
   * it is `-` and nothing came on standard input (a failed `kubectl get` before the pipe).
   */
  reason: 'does not exist' | 'holds no .yaml, .yml or .json file' | 'standard input is empty';
}

export interface LoadedInputs {
  objects: KubeObject[];
  diagnostics: Diagnostic[];
  files: string[];
  /** Paths that do not exist, and folders without an input file (besides the excluded ones). */
  missing: MissingInput[];
}

function fileProblem(path: string, err: unknown): Diagnostic {
  return diagnostic(
    { kind: 'File', namespace: '', name: path },
    'error',
    `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
  );
}

/** Whether `stat` failed because nothing is at the path (rather than because it cannot be read). */
function isAbsent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

interface Expansion {
  files: string[];
  problems: Diagnostic[];
  missing: MissingInput[];
}

async function expand(path: string, out: Expansion, top: boolean): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    if (top && isAbsent(err)) out.missing.push({ path, reason: 'does not exist' });
    else out.problems.push(fileProblem(path, err));
    return;
  }
  if (!info.isDirectory()) {
    out.files.push(path);
    return;
  }
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const child = join(path, entry.name);
    if (entry.isDirectory()) await expand(child, out, false);
    else if (INPUT_EXTENSIONS.has(extname(entry.name))) out.files.push(child);
  }
}

/** The text of one input, and the name messages give it; undefined after reporting why not. */
async function readInput(
  file: string,
  stdin: StdinReader | undefined,
  diagnostics: Diagnostic[],
): Promise<{ text: string; source: string } | undefined> {
  const source = file === STDIN_PATH && stdin ? STDIN_SOURCE : file;
  try {
    return { text: file === STDIN_PATH && stdin ? await stdin() : await readFile(file, 'utf8'), source };
  } catch (err) {
    diagnostics.push(fileProblem(source, err));
    return undefined;
  }
}

/**
 * Reads Kubernetes objects from files and directories (recursively; `.yaml`, `.yml`, `.json`),
 * and from standard input for the path `-` when a `stdin` reader is given (the callers let only
 * one path be `-`). A file that cannot be read or parsed is reported and skipped; the others
 * still load. Files in `exclude` (the config file, when it sits beside the manifests) are not
 * read as inputs. A path that does not exist, a folder without an input file, or standard input
 * without any text is listed in `missing`: the callers refuse to plan without it.
 */
export async function loadInputs(paths: string[], exclude: string[] = [], stdin?: StdinReader): Promise<LoadedInputs> {
  const skip = new Set(exclude.map((p) => resolve(p)));
  const found: Expansion = { files: [], problems: [], missing: [] };
  for (const path of paths) {
    if (path === STDIN_PATH && stdin) {
      found.files.push(STDIN_PATH);
      continue;
    }
    const before = found.files.length;
    const problemsBefore = found.problems.length;
    await expand(path, found, true);
    const added = found.files.slice(before).filter((f) => !skip.has(resolve(f)));
    const absent = found.missing.some((m) => m.path === path);
    if (!absent && added.length === 0 && found.problems.length === problemsBefore)
      found.missing.push({ path, reason: 'holds no .yaml, .yml or .json file' });
  }
  const files = found.files.filter((f) => !skip.has(resolve(f)));
  const objects: KubeObject[] = [];
  const diagnostics = [...found.problems];
  for (const file of files) {
    const input = await readInput(file, stdin, diagnostics);
    if (!input) continue;
    if (file === STDIN_PATH && stdin && !/\S/.test(input.text)) {
      found.missing.push({ path: STDIN_PATH, reason: 'standard input is empty' });
      continue;
    }
    const parsed = parseDocuments(input.text, input.source);
    // One at a time: a dump can hold more objects than a call takes arguments.
    for (const obj of parsed.objects) objects.push(obj);
    diagnostics.push(...parsed.diagnostics);
  }
  return { objects, diagnostics, files, missing: found.missing };
}
