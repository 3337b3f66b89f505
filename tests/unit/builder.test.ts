import asar from '@electron/asar';
import { FuseV1Options } from '@electron/fuses';
import Ajv from 'ajv';
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// @ts-expect-error: a plain .mjs build script without type declarations
import { BUNDLES, bundleElectron, EXTERNALS } from '../../scripts/build-electron.mjs';
// @ts-expect-error: same
import { runSmokeExecutable, unpackedExecutable } from '../../scripts/dist-smoke.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const schema = JSON.parse(fs.readFileSync('node_modules/app-builder-lib/scheme.json', 'utf8'));
const config = parse(fs.readFileSync('electron-builder.yml', 'utf8'));
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
const validate = ajv.compile(schema);

/** where Electron's fuse wire starts in its binary (see @electron/fuses) */
const FUSE_SENTINEL = Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX');

const targets = (platform: 'win' | 'mac' | 'linux') =>
  (config[platform].target as Array<{ target: string }>).map((t) => t.target);

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's own schema", () => {
    const ok = validate(config);
    expect(validate.errors ?? [], ajv.errorsText(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check has teeth: a misspelt key or a wrong type is refused', () => {
    expect(validate({ ...config, electronFuse: { runAsNode: false } })).toBe(false);
    expect(validate({ ...config, electronFuses: { ...config.electronFuses, runAsNode: 'no' } })).toBe(false);
  });

  it('locks Electron down with fuses, and an unsigned macOS build is re-signed ad hoc after the flip', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      resetAdHocDarwinSignature: true,
    });
  });

  it('builds an NSIS installer, a DMG, a deb (the Linux download) and an AppImage', () => {
    expect(targets('win')).toEqual(['nsis']);
    expect(targets('mac')).toEqual(['dmg']);
    expect(targets('linux')).toEqual(['deb', 'AppImage']);
    // each package is built on (or with --x64/--arm64 for) the arch whose native binaries npm installed
    for (const platform of ['win', 'mac', 'linux'] as const) {
      expect(
        (config[platform].target as Array<{ arch?: unknown }>).filter((t) => t.arch !== undefined),
        platform,
      ).toEqual([]);
    }
    expect(config.mac).toMatchObject({
      hardenedRuntime: true,
      category: expect.stringMatching(/^public\.app-category\./),
    });
    expect(config.linux).toMatchObject({
      category: 'Office',
      maintainer: expect.stringContaining('@'),
      executableName: 'smsdesk',
    });
    // Electron's cookie encryption (a fuse above) stores its key through libsecret on Linux
    expect(config.deb.depends).toContain('libsecret-1-0');
  });

  it('macOS: the entitlements let ad-hoc signed native modules load under the hardened runtime', () => {
    for (const file of new Set([config.mac.entitlements, config.mac.entitlementsInherit])) {
      const plist = fs.readFileSync(file, 'utf8');
      expect(plist, file).toMatch(/<key>com\.apple\.security\.cs\.disable-library-validation<\/key>\s*<true\/>/);
      expect(plist, file).toMatch(/<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/);
    }
  });

  it('signing secrets come only from the environment, and docs/packaging.md names each variable', () => {
    const secretKeys: string[] = [];
    const walk = (v: unknown, at: string) => {
      if (!v || typeof v !== 'object') return;
      for (const [k, x] of Object.entries(v)) {
        if (/password|cscLink|cscKey|certificateFile|certificateSubject|identity|appleId|teamId/i.test(k))
          secretKeys.push(`${at}${k}`);
        walk(x, `${at}${k}.`);
      }
    };
    walk(config, '');
    expect(secretKeys).toEqual([]);
    const doc = fs.readFileSync('docs/packaging.md', 'utf8');
    for (const name of [
      'CSC_LINK',
      'CSC_KEY_PASSWORD',
      'APPLE_ID',
      'APPLE_APP_SPECIFIC_PASSWORD',
      'APPLE_TEAM_ID',
      'WIN_CSC_LINK',
      'WIN_CSC_KEY_PASSWORD',
    ]) {
      expect(doc, name).toContain(name);
    }
  });

  it('never publishes by itself, rebuilds nothing, and keeps native modules out of the asar', () => {
    expect(config).toMatchObject({
      appId: expect.stringMatching(/^[a-z]+(\.[a-z0-9]+)+$/),
      productName: 'SMS Desk',
      asar: true,
      npmRebuild: false,
      nodeGypRebuild: false,
      buildDependenciesFromSource: false,
      publish: null,
    });
    expect(config.files).toEqual(expect.arrayContaining(['dist/renderer/**', 'dist-electron/**', 'package.json']));
    expect(config.asarUnpack).toContain('**/*.node');
    expect(pkg.main).toBe('dist-electron/main.cjs');
    for (const [file, size] of [
      ['build/icon.png', 512],
      ['build/icons/512x512.png', 512],
      ['build/icons/256x256.png', 256],
    ] as const) {
      const png = fs.readFileSync(file);
      expect(png.subarray(1, 4).toString('latin1'), file).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)], file).toEqual([size, size]);
    }
  });

  it('the runtime dependencies are exactly the native modules esbuild leaves external', () => {
    expect(Object.keys(pkg.dependencies ?? {}).sort()).toEqual(
      EXTERNALS.filter((m: string) => m !== 'electron').sort(),
    );
  });
});

/**
 * The real packaging step on Linux: electron-builder's own file filters, asar and fuse code run
 * over the real bundles and node_modules. Only Electron itself is a stand-in (it cannot be downloaded
 * here): a small file carrying the fuse sentinel, so the fuse flip is checked too.
 */
describe.runIf(process.platform === 'linux')('the packaged app (electron-builder --dir, linux)', () => {
  let tmp: string;
  let appDir: string;
  let files: string[];
  const resources = () => path.join(appDir, 'resources');

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-pack-'));
    // Fresh bundles in a temp folder (the repo's dist/ is left alone); node_modules, package.json and
    // the lockfile are the repo's own, so the package holds what a real release would.
    const built = path.join(tmp, 'built');
    fs.mkdirSync(path.join(built, 'renderer'), { recursive: true });
    fs.writeFileSync(path.join(built, 'renderer/index.html'), '<!doctype html><title>SMS Desk</title>');
    await bundleElectron(path.join(built, 'dist-electron'), { logLevel: 'error' });
    const fileSets = (config.files as string[]).map(
      (f) =>
        (
          ({
            'dist-electron/**': {
              from: path.join(built, 'dist-electron'),
              to: 'dist-electron',
              filter: ['**/*', '!*.map'],
            },
            'dist/renderer/**': { from: path.join(built, 'renderer'), to: 'dist/renderer' },
          }) as Record<string, object>
        )[f] ?? f,
    );

    const fake = path.join(tmp, 'electron-dist');
    fs.mkdirSync(path.join(fake, 'resources'), { recursive: true });
    // the fuse wire as Electron carries it: sentinel, version 1, length, one byte per fuse
    const wire = Buffer.concat([FUSE_SENTINEL, Buffer.from([1, 9]), Buffer.from('111111111')]);
    fs.writeFileSync(
      path.join(fake, 'electron'),
      Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n#'), wire, Buffer.from('\n')]),
      { mode: 0o755 },
    );

    const { build, Platform, Arch } = await import('electron-builder');
    await build({
      projectDir: root,
      targets: Platform.LINUX.createTarget('dir', Arch.x64),
      config: {
        ...config,
        files: fileSets,
        electronDist: fake,
        directories: { ...config.directories, output: path.join(tmp, 'release') },
      },
      publish: 'never',
    });
    appDir = path.join(tmp, 'release/linux-unpacked');
    files = asar
      .listPackage(path.join(resources(), 'app.asar'), { isPack: false })
      .map((f) => f.split(path.sep).join('/'));
  }, 120_000);
  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const packagesIn = (list: string[]) =>
    [
      ...new Set(
        list.flatMap((f) => {
          const m = /^\/node_modules\/(@[^/]+\/[^/]+|[^@/][^/]*)(\/|$)/.exec(f);
          return m ? [m[1]!] : [];
        }),
      ),
    ].sort();

  it('carries only the native modules: no bundler, no TypeScript runner, nothing esbuild already bundled', () => {
    expect(packagesIn(files)).toEqual(['@napi-rs/keyring', '@napi-rs/keyring-linux-x64-gnu', 'better-sqlite3']);
  });

  it("leaves out C sources, build files and the other platforms' binaries", () => {
    const sqlite = files.filter((f) => f.startsWith('/node_modules/better-sqlite3/'));
    expect(sqlite.filter((f) => /\/(deps|src|build)\/|binding\.gyp$/.test(f))).toEqual([]);
    expect(sqlite.filter((f) => f.endsWith('.node'))).toEqual([
      '/node_modules/better-sqlite3/prebuilds/linux-x64.node',
    ]);
  });

  it('every .node binary is a real file beside the asar (the OS cannot load one from inside it)', () => {
    const natives = files.filter((f) => f.endsWith('.node'));
    expect(natives.length).toBeGreaterThanOrEqual(2);
    for (const f of natives) expect(fs.existsSync(path.join(resources(), 'app.asar.unpacked', f)), f).toBe(true);
  });

  it('every module the bundles require is built into Node or Electron, or is inside the package', () => {
    const inside = new Set(packagesIn(files));
    const builtins = new Set([...builtinModules, 'electron']);
    expect((BUNDLES as Array<{ file: string }>).map((b) => b.file)).toContain('ledger-check.cjs');
    for (const { file: bundle } of BUNDLES as Array<{ file: string }>) {
      expect(files, bundle).toContain(`/dist-electron/${bundle}`);
      const code = asar.extractFile(path.join(resources(), 'app.asar'), `dist-electron/${bundle}`).toString('utf8');
      const required = [...code.matchAll(/\brequire\(["']([^"'./][^"']*)["']\)/g)].map((m) => m[1]!);
      const missing = [...new Set(required)].filter((r) => {
        const name = r.startsWith('@') ? r.split('/').slice(0, 2).join('/') : r.split('/')[0]!;
        return !builtins.has(r) && !builtins.has(name) && !r.startsWith('node:') && !inside.has(name);
      });
      expect(missing, bundle).toEqual([]);
    }
    expect(files).toEqual(
      expect.arrayContaining(['/package.json', '/dist/renderer/index.html', '/dist-electron/icon.png']),
    );
    expect(files.filter((f) => f.startsWith('/dist-electron/') && f.endsWith('.map'))).toEqual([]);
  });

  it('the Electron binary has its fuses flipped as configured', () => {
    const binary = fs.readFileSync(path.join(appDir, config.linux.executableName));
    const at = binary.indexOf(FUSE_SENTINEL);
    expect(at).toBeGreaterThan(0);
    const wire = binary
      .subarray(at + FUSE_SENTINEL.length + 2, at + FUSE_SENTINEL.length + 2 + binary[at + FUSE_SENTINEL.length + 1]!)
      .toString('latin1');
    const wanted = Object.entries(config.electronFuses as Record<string, boolean>).filter(
      ([k]) => k !== 'resetAdHocDarwinSignature',
    );
    expect(wanted.length).toBeGreaterThanOrEqual(8);
    for (const [key, on] of wanted) {
      const index = FuseV1Options[(key[0]!.toUpperCase() + key.slice(1)) as keyof typeof FuseV1Options];
      expect(index, key).toBeTypeOf('number');
      expect(wire[index], key).toBe(on ? '1' : '0');
    }
  });

  it('dist:smoke finds the executable electron-builder wrote, and a run without a smoke line is a failure', async () => {
    const exe = unpackedExecutable({
      platform: 'linux',
      arch: 'x64',
      outDir: path.join(tmp, 'release'),
      productName: config.productName,
      executableName: config.linux.executableName,
    });
    expect(exe).toBe(path.join(appDir, 'smsdesk'));
    // the stand-in Electron exits 0 and prints nothing: that must not pass for a working app
    expect(await runSmokeExecutable(exe, { timeoutMs: 20_000 })).toEqual({
      code: 1,
      line: 'smoke: FAILED the app exited with 0 without printing a smoke line',
    });
    expect((await runSmokeExecutable(path.join(tmp, 'nothing-here'))).line).toMatch(
      /^smoke: FAILED there is no packaged app at /,
    );
  });
});
