import Ajv from 'ajv';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const schema = JSON.parse(fs.readFileSync('node_modules/app-builder-lib/scheme.json', 'utf8'));
const config = parse(fs.readFileSync('electron-builder.yml', 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
const validate = ajv.compile(schema);

const targets = (platform: 'win' | 'mac' | 'linux') => (config[platform].target as Array<{ target: string }>).map((t) => t.target);

describe('electron-builder.yml', () => {
  it('is valid against electron-builder\'s own schema', () => {
    const ok = validate(config);
    expect(validate.errors ?? [], ajv.errorsText(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check has teeth: a misspelt key or a wrong type is refused', () => {
    expect(validate({ ...config, electronFuse: { runAsNode: false } })).toBe(false);
    expect(validate({ ...config, electronFuses: { ...config.electronFuses, runAsNode: 'no' } })).toBe(false);
  });

  it('locks Electron down with fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('builds an NSIS installer, a DMG, an AppImage and a deb', () => {
    expect(targets('win')).toEqual(['nsis']);
    expect(targets('mac')).toEqual(['dmg']);
    expect(targets('linux')).toEqual(['AppImage', 'deb']);
    expect(config.mac).toMatchObject({ hardenedRuntime: true, category: expect.stringMatching(/^public\.app-category\./) });
    expect(fs.existsSync(config.mac.entitlements)).toBe(true);
    expect(config.linux).toMatchObject({ category: 'Office', maintainer: expect.stringContaining('@') });
    // keytar needs libsecret at run time on Linux
    expect(config.deb.depends).toContain('libsecret-1-0');
  });

  it('ships the app bundle, unpacks native modules, rebuilds them for Electron, and has real icons', () => {
    expect(config).toMatchObject({ appId: expect.stringMatching(/^[a-z]+(\.[a-z0-9]+)+$/), productName: 'SMS Desk', asar: true, npmRebuild: true });
    expect(config.files).toEqual(expect.arrayContaining(['dist/renderer/**', 'dist-electron/**', 'package.json']));
    expect(config.asarUnpack).toContain('**/*.node');
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
    expect(pkg.main).toBe('dist-electron/main.cjs');
    for (const [file, size] of [['build/icon.png', 512], ['build/icons/512x512.png', 512], ['build/icons/256x256.png', 256]] as const) {
      const png = fs.readFileSync(file);
      expect(png.subarray(1, 4).toString('latin1'), file).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)], file).toEqual([size, size]);
    }
  });
});
