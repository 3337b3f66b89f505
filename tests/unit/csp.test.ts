import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { contentSecurityPolicy } from '../../electron/security.ts';
import { startWebServer, type WebServer } from '../../electron/web/server.ts';
import type { Handlers } from '../../electron/handlers/index.ts';

/**
 * One Content-Security-Policy for the built page, the web server and Electron: the page is built
 * with the real Vite config, then served by the real web server, and both must carry the policy
 * from electron/security.ts. Electron itself cannot run here, so no source file may spell a
 * policy of its own.
 */
const root = path.resolve(import.meta.dirname, '../..');
let outDir: string;
let server: WebServer;

const parse = (csp: string) =>
  Object.fromEntries(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k, v.join(' ')]),
  );

beforeAll(async () => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-csp-'));
  await build({
    configFile: path.join(root, 'vite.config.ts'),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
  });
  // the page is all this test asks for: no route is ever called
  server = await startWebServer({ handlers: {} as Handlers, staticDir: outDir, key: 'csp-test-key-0123456789' });
}, 120_000);
afterAll(async () => {
  await server?.close();
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

function get(url: string): Promise<{ headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

describe('one Content-Security-Policy everywhere', () => {
  it('the built page carries the shared policy in its <meta>, the web server sends it as the header', async () => {
    const page = await get(`${server.origin}/`);
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(page.body)?.[1];
    expect(meta, 'the built index.html has a CSP meta tag').toBeDefined();
    expect(meta).toBe(contentSecurityPolicy('meta'));
    expect(page.headers['content-security-policy']).toBe(contentSecurityPolicy('header'));
    // the meta copy is the header minus what only a header can carry, never a looser variant
    const header = parse(contentSecurityPolicy('header'));
    for (const [k, v] of Object.entries(parse(meta!))) expect(header[k], k).toBe(v);
    expect(Object.keys(header).filter((k) => !(k in parse(meta!)))).toEqual(['frame-ancestors']);
  });

  it('the built page has no inline script the policy would block', () => {
    const html = fs.readFileSync(path.join(outDir, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="/);
      expect(body!.trim()).toBe('');
    }
  });

  it('no other source file spells out a policy of its own (Electron, the web server, Vite import the one)', () => {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (e.name !== 'node_modules') walk(rel);
          continue;
        }
        if (!/\.(ts|tsx|mjs|js|html)$/.test(e.name)) continue;
        if (
          /default-src|script-src|Content-Security-Policy" content=/.test(fs.readFileSync(path.join(root, rel), 'utf8'))
        )
          found.push(rel);
      }
    };
    for (const dir of ['electron', 'renderer', 'shared', 'scripts']) walk(dir);
    if (/default-src|script-src/.test(fs.readFileSync(path.join(root, 'vite.config.ts'), 'utf8')))
      found.push('vite.config.ts');
    expect(found).toEqual(['electron/security.ts']);
    for (const file of ['electron/window.ts', 'electron/web/server.ts', 'vite.config.ts']) {
      expect(fs.readFileSync(path.join(root, file), 'utf8'), file).toMatch(/\bcontentSecurityPolicy\(/);
    }
  });
});
