/**
 * `npm run web`: the same engine and handlers as the desktop app, served to a browser on
 * 127.0.0.1 behind a random access key (printed as a link, like Jupyter).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../engine/engine.ts';
import { createEventBridge, createHandlers, type EngineLike } from '../handlers/index.ts';
import { startEngineHost, wantsInProcess } from '../host/index.ts';
import { parseWebArgs } from './args.ts';
import { createDownloadStore } from './downloads.ts';
import { generateKey, KEY_HEADER, startWebServer } from './server.ts';

/** The checkout: the folder above this file (electron/web/) or above its bundle (dist-node/) with our package.json. */
function appRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name === 'smsdesk') return dir;
    } catch {
      /* not here */
    }
    if (path.dirname(dir) === dir) return path.resolve(from, '../..');
  }
}
const root = appRoot(path.dirname(fileURLToPath(import.meta.url)));
// Run from its bundle (scripts/build-node.mjs defines this), the worker is the bundled one too;
// from source (tests, debugging), host/index.ts starts it through tsx.
const workerFile = process.env.SMSDESK_BUNDLED ? path.join(root, 'dist-node/engine-worker.cjs') : undefined;

async function main(): Promise<void> {
  let args;
  try {
    args = parseWebArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const staticDir = path.resolve(args.staticDir ?? path.join(root, 'dist/renderer'));
  if (!fs.existsSync(path.join(staticDir, 'index.html'))) {
    console.error(
      `The web page is not built (${staticDir}/index.html is missing): run \`npx vite build\` or start with \`npm run web\`.`,
    );
    process.exit(1);
  }
  const log = (line: string) => {
    if (process.env.SMSDESK_DEBUG) console.error(line);
  };
  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version as string;

  // the engine runs in a worker thread so a long import or campaign never stalls the HTTP server
  // (SMSDESK_ENGINE_INPROCESS=1 keeps it on this thread, for debugging)
  const engine: EngineLike = wantsInProcess()
    ? await createEngine({
        dataDir: args.dataDir ?? undefined,
        log,
        owner: { what: 'SMS Desk web', long: true, need: 'write' },
      })
    : await startEngineHost({
        dataDir: args.dataDir ?? undefined,
        env: process.env,
        workerFile,
        log,
        owner: 'SMS Desk web',
      });
  const downloads = createDownloadStore();
  const key = generateKey();
  const handlers = createHandlers(engine, {
    mode: 'web',
    version,
    platform: process.platform,
    files: downloads.sink,
    log,
  });
  const server = await startWebServer({
    handlers,
    staticDir,
    key,
    port: args.port,
    downloads,
    log,
    subscribe: (emit) => createEventBridge(engine, emit, { log }),
  });
  await engine.start();

  if (args.check) {
    // what a user's browser does first, over real HTTP with the key: the page, then one API call
    const page = await fetch(server.url);
    const answer = await fetch(`${server.origin}/api/call`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [KEY_HEADER]: key },
      body: JSON.stringify({ route: 'app.info', input: null }),
    });
    const body = (await answer.json()) as { ok: boolean; error?: { message: string } };
    const ms = Math.round(performance.now());
    if (!page.ok || !body.ok) {
      console.error(
        `start check: the web mode did not answer (page HTTP ${page.status}; app.info ${body.ok ? 'ok' : (body.error?.message ?? `HTTP ${answer.status}`)}).`,
      );
      process.exitCode = 1;
    } else {
      console.log(
        `start check: ok: web mode served the page and answered app.info ${ms} ms after start; data folder ${engine.dataDir}${engine.sandbox ? '; sandbox: nothing is really sent' : ''}`,
      );
    }
    await server.close();
    downloads.close();
    await engine.close();
    return;
  }

  const sandbox = engine.sandbox
    ? '\nNo API token is set: SMS Desk runs on its built-in sandbox and nothing is really sent.'
    : '';
  console.log(
    `SMS Desk web mode: ${server.url}\n\nOpen the address above in your browser (it carries your access key; keep it private).\nData folder: ${engine.dataDir}${sandbox}\nPress Ctrl+C to stop; a campaign being sent resumes where it left off next time.`,
  );
  if (args.open) openBrowser(server.url);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    downloads.close();
    await engine.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    /* no browser opener: the link is printed */
  }
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
