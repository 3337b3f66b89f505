import { randomUUID } from 'node:crypto';
import type { DB } from '../db/open.ts';
import type { SettingsStore } from '../db/settings.ts';
import type { Engine } from '../api.ts';
import type { GatewayClient } from '../gateway/client.ts';
import type { RateLimiter } from '../queue/limiter.ts';
import type { createCampaignService } from './service.ts';
import { SANDBOX_NOTICE } from '../mode.ts';
import { checkSenderId } from '../../../shared/sms/index.ts';
import { normalizeMsisdn } from '../../../shared/phone/index.ts';
import type { GatewayMode } from '../../../shared/vocabulary.ts';

/**
 * One message to one number, outside any campaign and the ledger: the user checks sender ID and
 * text before sending to a list. With a list, the text is the list's first contact's. It spends
 * the same rate as the send loop (only the folder's owner calls this).
 */
export function createTestSend(deps: {
  db: DB;
  settings: SettingsStore;
  campaigns: Pick<ReturnType<typeof createCampaignService>, 'findList' | 'compile'>;
  limiter: RateLimiter;
  clientFor(m: GatewayMode): GatewayClient;
  mode(): GatewayMode;
}): Engine['campaigns']['testSend'] {
  const { db, settings, campaigns, limiter } = deps;
  return async (input) => {
    const s = checkSenderId(input.from);
    if (!s.ok) return { ok: false, message: s.message };
    const n = normalizeMsisdn(input.to, settings.get('phone.defaultCountry'));
    if (!n.ok) return { ok: false, message: `The test number ${JSON.stringify(input.to)} is not valid: ${n.reason}` };
    let text = input.text;
    if (input.list != null) {
      const list = campaigns.findList(input.list);
      const compiled = campaigns.compile(list, input.text);
      const first = db
        .prepare<[number], { fields: string }>('SELECT fields FROM contacts WHERE list_id = ? ORDER BY seq LIMIT 1')
        .get(list.id);
      text = compiled.render(JSON.parse(first?.fields ?? '{}'));
    }
    const permit = await limiter.acquire({ recipients: 1, parts: 1 });
    const out = await deps
      .clientFor(deps.mode())
      .send({ from: input.from.trim(), to: [n.msisdn], text, clientRef: randomUUID().replace(/-/g, '') })
      .finally(() => permit?.release());
    const where = deps.mode() === 'sandbox' ? ` (${SANDBOX_NOTICE})` : '';
    switch (out.kind) {
      case 'accepted':
        return { ok: true, message: `Test message accepted by the gateway for ${n.msisdn}${where}.` };
      case 'uncertain':
        return {
          ok: false,
          message: `The gateway did not answer clearly (${out.reason}); the test message may or may not arrive.`,
        };
      case 'retry':
      case 'failed':
      case 'auth':
        return { ok: false, message: out.reason };
    }
  };
}
