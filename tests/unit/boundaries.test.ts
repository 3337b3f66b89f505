import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every .ts/.tsx file under dir. */
function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : /\.tsx?$/.test(e.name) ? [p] : [];
  });
}
function specifiers(file: string): string[] {
  const src = fs.readFileSync(file, 'utf8');
  return [
    ...src.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g,
    ),
  ].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/**
 * The design's folder rule, held by a test instead of a lint plug-in: shared/ is plain TypeScript
 * usable in the renderer's worker, the engine and the CLI; the engine runs without Electron.
 */
describe('process boundaries', () => {
  it('shared/ never imports Node, Electron or the engine', () => {
    for (const file of walk('shared')) {
      for (const spec of specifiers(file)) {
        expect(spec, `${file} imports ${spec}`).not.toMatch(/^(node:|electron$|fs$|path$|os$|crypto$|child_process$)/);
        const resolved = spec.startsWith('.') ? path.relative('.', path.resolve(path.dirname(file), spec)) : spec;
        expect(resolved, `${file} imports ${spec}`).not.toMatch(/^(electron|renderer)\//);
      }
    }
  });

  it('shared/ uses no Node or DOM globals (Buffer, process, window, document)', () => {
    for (const file of walk('shared')) {
      // comments and quoted text ('word/document.xml' names a zip entry, not the DOM) are not code
      const code = fs
        .readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
        .replace(/'(?:[^'\\\n]|\\.)*'/g, "''");
      expect(code, file).not.toMatch(/\b(Buffer|process|window|document|require)\s*[.(]/);
    }
  });

  it('electron/engine/ never imports electron (it runs in plain Node: CLI, tests, worker)', () => {
    for (const file of walk('electron/engine')) {
      for (const spec of specifiers(file)) expect(spec, `${file} imports ${spec}`).not.toBe('electron');
    }
  });

  it('renderer/ imports only shared/ and its own files (never the engine or the shell under electron/)', () => {
    const files = walk('renderer/src');
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      for (const spec of specifiers(file)) {
        if (!spec.startsWith('.')) {
          expect(spec, `${file} imports ${spec}`).not.toMatch(/^(node:|electron$|better-sqlite3)/);
          continue;
        }
        const resolved = path.relative('.', path.resolve(path.dirname(file), spec)).replace(/\\/g, '/');
        expect(resolved, `${file} imports ${spec}`).toMatch(/^(renderer|shared)\//);
      }
    }
  });

  it('only the shell files import electron', () => {
    const importers = walk('electron')
      .filter((f) => specifiers(f).includes('electron'))
      .map((f) => f.replace(/\\/g, '/'))
      .sort();
    for (const f of importers) expect(f, `${f} imports electron`).toMatch(/^electron\/[^/]+\.ts$/);
  });
});
