import path from 'node:path';
import type { SettingsStore } from './db/settings.ts';
import { ensurePrivateFile } from './paths.ts';
import { createGatewayClient, type GatewayClient } from './gateway/client.ts';
import { startSandbox, type Sandbox } from './sandbox/index.ts';
import type { Secrets } from './secrets/index.ts';
import { describeKeychainError } from './secrets/index.ts';
import type { GatewayMode } from '../../shared/vocabulary.ts';

export const SANDBOX_TOKEN = 'sandbox';
export const SANDBOX_NOTICE = 'sandbox: nothing is really sent';

/**
 * Live or sandbox: whether a token exists decides which gateway sends (a keychain that cannot be
 * read means no token). This holds the two gateway clients, starts the built-in sandbox on first
 * use (its state file is in the data folder, the owner's), and switches when the token changes;
 * what a switch means for campaigns (an auth pause lifted) is the engine's wiring.
 */
export type Modes = Awaited<ReturnType<typeof createModes>>;

export async function createModes(deps: {
  dataDir: string;
  settings: SettingsStore;
  secrets: Secrets;
  /** a gateway URL that replaces both the live one and the built-in sandbox (tests, SMSDESK_GATEWAY_URL) */
  gatewayOverride: string | null;
  sandbox?: Parameters<typeof startSandbox>[0];
  log(line: string): void;
}) {
  const { dataDir, settings, secrets, gatewayOverride, log } = deps;
  let keychainProblem: string | null = null;
  async function readToken(): Promise<string | null> {
    try {
      const t = await secrets.get();
      keychainProblem = null;
      return t;
    } catch (e) {
      keychainProblem = describeKeychainError(e);
      return null;
    }
  }
  let mode: GatewayMode = (await readToken()) ? 'live' : 'sandbox';

  let sandbox: Sandbox | null = null;
  let sandboxStarting: Promise<Sandbox> | null = null;
  function ensureSandbox(): Promise<Sandbox> {
    // the sandbox's own ledger holds the numbers sent to as well: the user's only, like smsdesk.db
    if (!sandboxStarting) {
      try {
        ensurePrivateFile(path.join(dataDir, 'sandbox.db'));
      } catch {
        /* the sandbox says why it cannot open it */
      }
    }
    sandboxStarting ??= startSandbox({
      host: '127.0.0.1',
      port: 0,
      tokens: [SANDBOX_TOKEN],
      stateFile: path.join(dataDir, 'sandbox.db'),
      ...deps.sandbox,
    }).then((s) => (sandbox = s));
    return sandboxStarting;
  }

  const liveClient = createGatewayClient({
    settings,
    token: async () => (await readToken()) ?? '',
    baseUrl: gatewayOverride ? () => gatewayOverride : undefined,
    log,
  });
  const sandboxBase = createGatewayClient({
    settings,
    token: async () => SANDBOX_TOKEN,
    baseUrl: () => gatewayOverride ?? sandbox?.url ?? 'http://127.0.0.1:9',
    log,
  });
  // The sandbox client waits for the built-in sandbox to be listening before each call.
  const sandboxClient: GatewayClient = {
    send: async (r) => {
      if (!gatewayOverride) await ensureSandbox();
      return sandboxBase.send(r);
    },
    fetchBatchReport: async (r) => {
      if (!gatewayOverride) await ensureSandbox();
      return sandboxBase.fetchBatchReport(r);
    },
    fetchRecipientReport: async (r, m) => {
      if (!gatewayOverride) await ensureSandbox();
      return sandboxBase.fetchRecipientReport(r, m);
    },
    checkToken: async () => ({
      ok: true,
      message: `No token is set: the built-in sandbox gateway is in use (${SANDBOX_NOTICE}).`,
    }),
  };

  return {
    get current(): GatewayMode {
      return mode;
    },
    keychainProblem: () => keychainProblem,
    readToken,
    clientFor: (m: GatewayMode) => (m === 'live' ? liveClient : sandboxClient),
    firstPollDelay: (m: GatewayMode) =>
      m === 'sandbox' ? Math.min(2000, settings.get('dlr.initialIntervalMs')) : settings.get('dlr.initialIntervalMs'),
    sandboxUrl: () => gatewayOverride ?? sandbox?.url ?? null,
    /** starts the built-in sandbox now if it is the one in use (the owner does, at start) */
    warmUp() {
      if (mode === 'sandbox' && !gatewayOverride)
        void ensureSandbox().catch((e) => log(`sandbox: ${(e as Error).message}`));
    },
    /** reads the token again and switches the gateway if it came or went; the mode now */
    async refresh(): Promise<GatewayMode> {
      const next: GatewayMode = (await readToken()) ? 'live' : 'sandbox';
      if (next !== mode) {
        mode = next;
        log(`gateway: ${mode === 'live' ? 'live 9bits gateway' : `built-in sandbox (${SANDBOX_NOTICE})`}`);
        if (mode === 'sandbox' && !gatewayOverride) void ensureSandbox().catch(() => {});
      }
      return mode;
    },
    async close() {
      if (sandboxStarting) await (await sandboxStarting.catch(() => null))?.close();
    },
  };
}
