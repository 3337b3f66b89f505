import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { BUILDS, isStale } from '../../scripts/stale.mjs';
// @ts-expect-error: same
import { TARGETS } from '../../scripts/build-node.mjs';

describe('a build is redone when what it wrote is missing', () => {
  it('the command is rebuilt when the packages bundled beside it are gone, not only the bundle itself', () => {
    const cli = BUILDS.cli as { output: string; beside: string[] };
    // the same file the build writes (kept twice so that a start need not load the build script)
    expect(cli.beside).toEqual([(TARGETS as { cli: { deps: string } }).cli.deps]);
    expect(isStale('package.json', [], [])).toBe(false);
    expect(isStale('package.json', [], ['package.json'])).toBe(false);
    expect(isStale('package.json', [], ['dist-node/no-such-file.cjs'])).toBe(true);
  });
});
