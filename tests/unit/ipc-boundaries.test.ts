import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** import specifiers of a TypeScript file (static, dynamic and, unless runtimeOnly, type-only) */
function importsOf(file: string, runtimeOnly = false): string[] {
  let src = fs.readFileSync(file, 'utf8');
  // type-only imports vanish when bundled
  if (runtimeOnly) src = src.replace(/(^|\n)\s*(import|export) type [^;]*;/g, '$1');
  return [
    ...src.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] ?? m[2]!);
}
const filesIn = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));

describe('process boundaries of the IPC layer', () => {
  it('shared/ipc is pure TypeScript: no node:, electron, or DOM modules', () => {
    for (const file of filesIn('shared/ipc')) {
      for (const spec of importsOf(file)) expect(spec, `${file} imports ${spec}`).toMatch(/^(zod|\.\.?\/)/);
    }
  });

  it('the preload reaches only electron and the route names (no zod, no schemas, no engine)', () => {
    const seen = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of importsOf(file, true)) {
        if (spec.startsWith('.')) walk(path.resolve(path.dirname(file), spec));
        else expect(spec, `${file} imports ${spec}`).toBe('electron');
      }
    };
    walk(path.resolve('electron/preload.ts'));
    expect([...seen].map((f) => path.relative(process.cwd(), f)).sort()).toEqual([
      'electron/bridge.ts',
      'electron/preload.ts',
      'shared/ipc/names.ts',
    ]);
  });

  it('renderer/src/api talks to the main process only through shared/ipc (no electron, no node:)', () => {
    for (const file of filesIn('renderer/src/api')) {
      for (const spec of importsOf(file))
        expect(spec, `${file} imports ${spec}`).toMatch(/^\.\.?\/|^(\.\.\/)+shared\/ipc\//);
    }
  });

  it('handlers and the web bridge never import electron, so both modes share them', () => {
    for (const file of [...filesIn('electron/handlers'), ...filesIn('electron/web')]) {
      for (const spec of importsOf(file)) expect(spec, `${file} imports ${spec}`).not.toBe('electron');
    }
  });
});
