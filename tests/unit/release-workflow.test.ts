import fs from 'node:fs';
import module from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * .github/workflows/release.yml cannot run here, so it is checked two ways: GitHub's own workflow
 * parser and schema (@actions/workflow-parser, what the Actions language server uses) must accept
 * it, and it must do what a release needs: every OS, Node 24, tests, packages, a smoke run of each
 * package, signing secrets from the environment only, and a draft release rather than a public one.
 */
const WORKFLOW = '.github/workflows/release.yml';
const text = fs.readFileSync(WORKFLOW, 'utf8');
const wf = parse(text);
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));

// The parser's build imports its JSON schema without `with { type: 'json' }` (it is made for
// bundlers); Node refuses that, so this process adds the attribute for that one package.
module.registerHooks({
  load(url, context, nextLoad) {
    if (url.includes('/@actions/workflow-parser/') && url.endsWith('.json') && !context.importAttributes?.type) {
      return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } });
    }
    return nextLoad(url, context);
  },
});
/** the part of @actions/workflow-parser used here (typed locally: the test must compile without it) */
interface Parser {
  parseWorkflow(
    file: { name: string; content: string },
    trace: unknown,
  ): { context: { errors: { getErrors(): Array<{ message: string }> } }; value?: unknown };
  convertWorkflowTemplate(context: unknown, value: unknown): Promise<{ errors?: Array<{ Message: string }> }>;
  NoOperationTraceWriter: new () => unknown;
}
const PARSER = '@actions/workflow-parser';
const parser = await (import(/* @vite-ignore */ PARSER) as Promise<Parser>).catch(() => null);

async function githubErrors(content: string): Promise<string[]> {
  const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = parser!;
  const parsed = parseWorkflow({ name: WORKFLOW, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    for (const e of template.errors ?? []) if (!errors.includes(e.Message)) errors.push(e.Message);
  }
  return errors;
}

describe("release workflow: GitHub's own parser", () => {
  if (!parser)
    it.skip("@actions/workflow-parser is not installed (npm install -D @actions/workflow-parser): GitHub's schema check cannot run; the checks of what the workflow does still run", () => {});

  it.runIf(parser !== null)('accepts the workflow, with no error', async () => {
    expect(await githubErrors(text)).toEqual([]);
  });

  it.runIf(parser !== null)(
    'has teeth: a misspelt key, a bad expression or a job without runs-on is refused',
    async () => {
      expect(
        (await githubErrors(text.replace('runs-on: ${{ matrix.os }}', 'run-on: ${{ matrix.os }}'))).join('\n'),
      ).toMatch(/run-on|runs-on/);
      expect(await githubErrors(text.replace('${{ matrix.arch }}', '${{ matrix.arch '))).not.toEqual([]);
      expect(await githubErrors(text.replace('timeout-minutes: 60', 'timeout-minutes: soon'))).not.toEqual([]);
    },
  );
});

describe('release workflow: what it does', () => {
  const job = wf.jobs.package;
  const steps = job.steps as Array<{
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
  }>;
  const runs = (re: RegExp) => steps.filter((s) => s.run && re.test(s.run));

  it('runs on a version tag (and by hand), with read-only rights by default', () => {
    expect(wf.on.push.tags).toEqual(['v*']);
    expect(wf.on).toHaveProperty('workflow_dispatch');
    expect(wf.permissions).toEqual({ contents: 'read' });
  });

  it('packages on Windows, macOS (both architectures) and Ubuntu with Node 24', () => {
    const include = job.strategy.matrix.include as Array<{ os: string; arch: string }>;
    expect(include.map((m) => m.os.split('-')[0]).sort()).toEqual(['macos', 'macos', 'ubuntu', 'windows']);
    expect(
      include
        .filter((m) => m.os.startsWith('macos'))
        .map((m) => m.arch)
        .sort(),
    ).toEqual(['arm64', 'x64']);
    expect(job['runs-on']).toBe('${{ matrix.os }}');
    const node = steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(String(node?.with?.['node-version'])).toBe('24');
  });

  it('installs with npm ci, tests on Linux, packages, then smoke-runs the package (Linux under xvfb-run)', () => {
    const order = (re: RegExp) => steps.findIndex((s) => s.run && re.test(s.run));
    expect(order(/^npm ci\b/)).toBeGreaterThanOrEqual(0);
    const test = runs(/\bnpm test\b/);
    expect(test.length).toBe(1);
    expect(test[0]!.if).toMatch(/runner\.os == 'Linux'/);
    expect(order(/npm run dist -- /)).toBeGreaterThan(order(/^npm ci\b/));
    expect(order(/npm run dist:smoke/)).toBeGreaterThan(order(/npm run dist -- /));
    const linuxSmoke = runs(/npm run dist:smoke/).find((s) => /== 'Linux'/.test(s.if ?? ''));
    expect(linuxSmoke?.run).toMatch(/^xvfb-run -a npm run dist:smoke/);
    // every npm script the workflow calls exists, and the smoke runner knows the flag it is given
    for (const s of steps.filter((x) => x.run)) {
      for (const [, name] of s.run!.matchAll(/npm run ([\w:-]+)/g)) expect(pkg.scripts, name).toHaveProperty(name!);
    }
    expect(fs.readFileSync('scripts/dist-smoke.mjs', 'utf8')).toContain("'--no-pack'");
  });

  it('signing secrets reach only the packaging step, from repository secrets, under the names electron-builder reads', () => {
    const pack = runs(/npm run dist -- /)[0]!;
    const names = [
      'CSC_LINK',
      'CSC_KEY_PASSWORD',
      'APPLE_ID',
      'APPLE_APP_SPECIFIC_PASSWORD',
      'APPLE_TEAM_ID',
      'WIN_CSC_LINK',
      'WIN_CSC_KEY_PASSWORD',
    ];
    expect(Object.keys(pack.env ?? {}).sort()).toEqual([...names].sort());
    for (const [k, v] of Object.entries(pack.env!)) expect(v, k).toBe(`\${{ secrets.${k} }}`);
    const elsewhere = steps.filter((s) => s !== pack && JSON.stringify(s).includes('secrets.'));
    expect(elsewhere).toEqual([]);
    expect(wf.env ?? {}).toEqual({});
  });

  it('uploads the installers of each OS and attaches them to a draft release, never a published one', () => {
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(String(upload?.with?.path).split('\n').filter(Boolean).sort()).toEqual([
      'release/*.AppImage',
      'release/*.deb',
      'release/*.dmg',
      'release/*.exe',
    ]);
    expect(upload?.with?.['if-no-files-found']).toBe('error');
    const release = wf.jobs['draft-release'];
    expect(release.needs).toBe('package');
    expect(release.permissions).toEqual({ contents: 'write' });
    const create = (release.steps as Array<{ run?: string }>).find((s) => s.run?.includes('gh release create'));
    expect(create?.run).toMatch(/--draft\b/);
  });
});
