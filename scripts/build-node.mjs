#!/usr/bin/env node
// Bundles what runs on plain Node with esbuild, the step the desktop shell uses too, so nothing
// compiles TypeScript at start (tsx took about a second of every start):
//   dist-node/smsdesk.cjs        the `smsdesk` command (bin/smsdesk.js)
//   dist-node/web.mjs            the web mode (scripts/web.mjs)
//   dist-node/engine-worker.cjs  the engine's worker thread, for the web mode
// Each is rebuilt by its launcher whenever one of its sources is newer (scripts/stale.mjs).
// Native modules stay external: they load their prebuilt binaries from node_modules.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXTERNAL = ['better-sqlite3', '@napi-rs/keyring', 'electron'];

/**
 * What the command's bundle loads on first use instead of at its start: SheetJS and libphonenumber
 * (spreadsheets and phone numbers: import, export, preview, opt-outs), papaparse, zod (a setting
 * read from the ledger, or one set: shared/settings.ts needs no zod for a default), and the builtins
 * that only sending, importing, a new id or the ledger check's thread need (node:crypto alone is ~4 ms).
 * `smsdesk lists` or `status` uses none of them, and every start of the command paid for all (issue
 * 13, figure 10). Each import of these is bundled as a stand-in whose exports are getters: the first
 * read of one loads the real module, so the code that uses them stays as written. The packages are
 * bundled in a file of their own beside the command's (`deps`): reading and checking the ~2 MB of
 * them at every start cost ~7 ms even unrun. The keychain's native module (external) is imported on
 * first use already (secrets/keyring.ts); as a stand-in it is required, not run through Node's ES
 * module loader (~1 ms). node:fs and node:path are loaded with Node itself; they
 * are here for the stand-in alone: esbuild's interop copies a module's every export into each
 * importer's own view of it (a dozen modules import each), ~2 ms of every start, and the stand-ins
 * keep their getters where that copy does not look (below).
 */
const LAZY = [
  '@e965/xlsx',
  'libphonenumber-js/max',
  'papaparse',
  'zod',
  'node:crypto',
  'node:zlib',
  'node:worker_threads',
  'node:fs',
  'node:path',
  '@napi-rs/keyring',
];
/** loaded from where it is (Node, node_modules), not from the deps bundle */
const isDirect = (spec) => spec.startsWith('node:') || EXTERNAL.includes(spec);

/** The stand-ins' esbuild plugin: each export's name is read from the real module now, at build time. */
function lazyModules(specs, depsFile) {
  const names = new Map();
  return {
    name: 'smsdesk-lazy',
    setup(b) {
      const filter = new RegExp(`^(${specs.map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
      b.onResolve({ filter }, (a) => (a.namespace === 'lazy' ? undefined : { path: a.path, namespace: 'lazy' }));
      b.onLoad({ filter: /.*/, namespace: 'lazy' }, async (a) => {
        if (!names.has(a.path)) {
          // the very file the deps bundle holds (for a package, the one esbuild resolves)
          const file = isDirect(a.path)
            ? null
            : (await b.resolve(a.path, { resolveDir: root, kind: 'require-call', namespace: 'lazy' })).path;
          const real = file
            ? await import(pathToFileURL(file).href)
            : (process.getBuiltinModule(a.path) ?? createRequire(path.join(root, 'package.json'))(a.path));
          // a CommonJS package's exports are its module.exports (an ES module view holds them as a whole)
          const exports = 'module.exports' in real ? real['module.exports'] : real;
          names.set(
            a.path,
            Object.keys(exports).filter((k) => k !== 'default' && k !== '__esModule'),
          );
        }
        const getters = names
          .get(a.path)
          .map((k) => `${JSON.stringify(k)}: { enumerable: true, get: () => load()[${JSON.stringify(k)}] }`);
        // The getters are on the stand-in's prototype: esbuild's view of a CommonJS module for each
        // importer (__toESM) copies its own properties only, and inherits from that same prototype.
        // Required at run time from beside the bundle: esbuild leaves both requires as they are.
        const real = isDirect(a.path)
          ? `require(${JSON.stringify(a.path)})`
          : `require(${JSON.stringify(`./${path.basename(depsFile)}`)})[${JSON.stringify(a.path)}]`;
        return {
          resolveDir: root,
          loader: 'js',
          contents: `let real;
const load = () => (real ??= ${real});
module.exports = Object.create(Object.defineProperties({}, { ${getters.join(', ')} }));`,
        };
      });
      b.onResolve({ filter: /^\.\/[^/]+\.cjs$/, namespace: 'lazy' }, (a) => ({ path: a.path, external: true }));
    },
  };
}

export const TARGETS = {
  cli: {
    entry: 'electron/engine/cli/main.ts',
    out: 'dist-node/smsdesk.cjs',
    format: 'cjs',
    lazy: LAZY,
    deps: 'dist-node/smsdesk-deps.cjs',
  },
  web: { entry: 'electron/web/main.ts', out: 'dist-node/web.mjs', format: 'esm' },
  worker: { entry: 'electron/host/worker.ts', out: 'dist-node/engine-worker.cjs', format: 'cjs' },
};

export async function buildNode(names = Object.keys(TARGETS)) {
  const { build } = await import('esbuild');
  /** esbuild into a file beside `out`, renamed over it once whole: two starts at once never run a half-written bundle */
  async function bundle(out, format, options) {
    const outfile = path.join(root, out);
    fs.mkdirSync(path.dirname(outfile), { recursive: true });
    const tmp = `${outfile}.${process.pid}.tmp`;
    await build({
      ...options,
      outfile: tmp,
      bundle: true,
      platform: 'node',
      format,
      target: 'node24',
      sourcemap: true,
      // a third smaller to read and compile at every start (no code here depends on function or class
      // names: errors set theirs explicitly); the .map beside it gives readable stacks with --enable-source-maps
      minify: true,
      logLevel: 'error',
      absWorkingDir: root,
      external: EXTERNAL,
      // an ES module bundle still meets CommonJS packages that call require()
      banner:
        format === 'esm'
          ? {
              js: "import { createRequire as __smsdeskRequire } from 'node:module'; const require = __smsdeskRequire(import.meta.url);",
            }
          : undefined,
      define: { 'process.env.SMSDESK_BUNDLED': '"1"' },
    });
    // the map is named after the final file, and so is the bundle's pointer to it
    const code = fs
      .readFileSync(tmp, 'utf8')
      .replace(`sourceMappingURL=${path.basename(tmp)}.map`, `sourceMappingURL=${path.basename(outfile)}.map`);
    fs.writeFileSync(tmp, code);
    fs.renameSync(`${tmp}.map`, `${outfile}.map`);
    fs.renameSync(tmp, outfile);
  }
  await Promise.all(
    names.map(async (name) => {
      const t = TARGETS[name];
      // the packages first: a command that sees the new bundle finds them beside it
      if (t.deps) {
        const pkgs = t.lazy.filter((s) => !isDirect(s));
        await bundle(t.deps, 'cjs', {
          stdin: {
            resolveDir: root,
            sourcefile: 'lazy-deps.js',
            // each evaluated when first asked for: an import of a spreadsheet does not wait for libphonenumber
            contents: pkgs
              .map(
                (p) =>
                  `Object.defineProperty(exports, ${JSON.stringify(p)}, { get: () => require(${JSON.stringify(p)}) });`,
              )
              .join('\n'),
          },
        });
      }
      await bundle(t.out, t.format, {
        entryPoints: [path.join(root, t.entry)],
        plugins: t.lazy ? [lazyModules(t.lazy, t.deps)] : [],
      });
    }),
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  await buildNode(process.argv.slice(2).length ? process.argv.slice(2) : undefined);
