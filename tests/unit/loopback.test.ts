import { describe, expect, it } from 'vitest';
import { checkBaseUrl } from '../../electron/engine/db/settings.ts';
import { gatewayUrl } from '../../electron/engine/gateway/url.ts';
import { isLoopbackUrl } from '../../shared/loopback.ts';

// Plain http carries the token in clear: the settings check and the gateway client must agree
// on which addresses never leave this computer, so both are asked about every row.
function allowedEverywhere(url: string): boolean[] {
  let settingsOk = true;
  try {
    checkBaseUrl(url);
  } catch {
    settingsOk = false;
  }
  return [isLoopbackUrl(url), gatewayUrl(url, '/ng/v1/sendsms').ok, settingsOk];
}

describe('plain http only to this computer', () => {
  it.each([
    'http://localhost:8080',
    'http://LOCALHOST/',
    'http://127.0.0.1:9',
    'http://127.255.255.254',
    'http://[::1]:3000',
    // spellings the URL parser turns into a literal 127.0.0.1 / ::1 (no name lookup happens)
    'http://127.1:9',
    'http://2130706433/',
    'http://0x7f.0.0.1/',
    'http://[0:0:0:0:0:0:0:1]/',
  ])('allows %s', (url) => {
    expect(allowedEverywhere(url)).toEqual([true, true, true]);
  });

  it.each([
    // names a resolver answers for, however local they look
    'http://evil.localhost',
    'http://api.localhost:9',
    'http://localhost.evil.example',
    'http://localhost./',
    'http://127.0.0.1.nip.io',
    'http://127.0.0.1.evil.example',
    'http://localhost%2eevil.example/',
    // a loopback-looking part that is not the host
    'http://evil.example#@127.0.0.1',
    'http://evil.example/?host=127.0.0.1',
    'http://127.0.0.1@evil.example',
    // other addresses of this or a nearby machine, or of everyone
    'http://0.0.0.0',
    'http://[::]',
    'http://[::2]',
    'http://[::ffff:127.0.0.1]',
    'http://128.0.0.1',
    'http://10.0.0.1',
    'http://192.168.1.1:2096',
    'http://169.254.169.254',
    'http://[fe80::1]',
    // not http at all, or not a URL
    'ws://127.0.0.1:9',
    'not a url',
    '',
  ])('refuses %j', (url) => {
    const [shared, client, settings] = allowedEverywhere(url);
    expect(client).toBe(false);
    expect(settings).toBe(false);
    if (url.startsWith('http:')) expect(shared).toBe(false);
  });

  it('says which addresses plain http is allowed for', () => {
    const r = gatewayUrl('http://gateway.localhost:2096', '/x');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/only allowed for this computer: localhost, 127\.0\.0\.1 or \[::1\]/);
    expect(() => checkBaseUrl('http://gateway.localhost:2096')).toThrow(
      /only for this computer: localhost, 127\.0\.0\.1 or \[::1\]/,
    );
  });
});
