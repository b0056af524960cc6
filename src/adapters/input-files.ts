import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { parseDocuments } from '../kube/documents.js';
import type { KubeObject } from '../kube/types.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { diagnostic } from '../model/diagnostic.js';

const INPUT_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface LoadedInputs {
  objects: KubeObject[];
  diagnostics: Diagnostic[];
  files: string[];
}

async function expand(path: string, out: string[], problems: Diagnostic[]): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    problems.push(diagnostic({ kind: 'File', namespace: '', name: path }, 'error', `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`));
    return;
  }
  if (!info.isDirectory()) {
    out.push(path);
    return;
  }
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const child = join(path, entry.name);
    if (entry.isDirectory()) await expand(child, out, problems);
    else if (INPUT_EXTENSIONS.has(extname(entry.name))) out.push(child);
  }
}

/**
 * Reads Kubernetes objects from files and directories (recursively; `.yaml`, `.yml`, `.json`).
 * A file that cannot be read or parsed is reported and skipped; the others still load. Files in
 * `exclude` (the config file, when it sits beside the manifests) are not read as inputs.
 */
export async function loadInputs(paths: string[], exclude: string[] = []): Promise<LoadedInputs> {
  const found: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const path of paths) await expand(path, found, diagnostics);
  const skip = new Set(exclude.map((p) => resolve(p)));
  const files = found.filter((f) => !skip.has(resolve(f)));
  const objects: KubeObject[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      diagnostics.push(diagnostic({ kind: 'File', namespace: '', name: file }, 'error', `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`));
      continue;
    }
    const parsed = parseDocuments(text, file);
    objects.push(...parsed.objects);
    diagnostics.push(...parsed.diagnostics);
  }
  return { objects, diagnostics, files };
}
