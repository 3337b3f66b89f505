import { useEffect, useId, useState } from 'react';
import { settingErrorForForm, type SettingKey, type Settings } from '../../../../shared/settings.ts';
import { api } from '../../api/index.ts';
import { useApp } from '../../appState.tsx';
import { ErrorNote, Section } from '../../components/ui.tsx';
import { useAction } from '../../components/useAction.ts';

/** The in-flight setting's name, as this page shows it and the dashboard refers to it. */
export const IN_FLIGHT_LABEL = 'Requests out at once';

export function SettingsPage() {
  const { settings, info } = useApp();
  return (
    <div className="page">
      <h1 tabIndex={-1}>Settings</h1>
      <TokenSection />
      {settings ? (
        <>
          <Section title="Gateway">
            <SettingField
              k="gateway.baseUrl"
              label="Gateway address"
              hint="The 9bits API base URL. Change it only if 9bits tells you to."
            />
            <SettingSelect
              k="gateway.messageField"
              label="Message field"
              options={[
                ['both', 'Send both "body" and "content" (safest)'],
                ['body', 'Only "body"'],
                ['content', 'Only "content"'],
              ]}
              hint="9bits' documentation names the message field two ways; sending both works with either."
            />
            <SettingCheck
              k="gateway.clientReference"
              label="Send our own reference with each batch"
              hint="Lets a repeated request be recognised, so an interrupted send is never charged twice."
            />
          </Section>
          <Section title="Sending speed">
            <div className="form-row">
              <SettingField k="rate.requestsPerSecond" label="Requests per second" type="number" step="0.1" />
              <SettingField k="rate.recipientsPerRequest" label="Recipients per request" type="number" />
              <SettingField k="rate.partsPerSecond" label="Parts per second (0 = no limit)" type="number" />
              <SettingField k="rate.maxInFlight" label={IN_FLIGHT_LABEL} type="number" />
            </div>
            <p className="hint">
              Match your 9bits account's limit; faster than the account allows only makes the gateway refuse requests.
            </p>
            <p className="hint">
              With one request out at once, each is answered before the next leaves, so the order is exact, but no more
              requests go out a second than answers come back: at 400 ms per answer, about 2.5. More at once lets the
              rate reach its limit when answers are slow; requests sent together may then reach 9bits a moment out of
              order.
            </p>
          </Section>
          <Section title="Unknown outcomes">
            <SettingField
              k="uncertain.autoResendAfterChecks"
              label="Re-send by itself when 9bits has no record after this many checks (0 = never, ask me)"
              type="number"
              hint="Off by default: you decide on the dashboard. Only used while “Send our own reference with each batch” is on: the re-send carries the first reference, so if 9bits did take the batch it answers with the first result instead of sending it twice."
            />
          </Section>
          <Section title="Price and numbers">
            <div className="form-row">
              <SettingField
                k="price.perPart"
                label={`Price per SMS part (${settings['price.currency']})`}
                type="number"
                step="0.01"
              />
              <SettingField
                k="phone.defaultCountry"
                label="Default country (two letters)"
                hint="For numbers written without a country code, e.g. 0803…"
              />
            </div>
          </Section>
          <PricesAbroad />
          <Section title="Data">
            <p>
              Your lists, campaigns and results are kept in{' '}
              <span className="mono" data-testid="data-dir">
                {info?.dataDir ?? '…'}
              </span>
              .
            </p>
            <p className="hint">
              Back up this folder to keep your history. The API token is not in it: it lives in the system keychain.
            </p>
          </Section>
        </>
      ) : (
        <p role="status">Loading…</p>
      )}
    </div>
  );
}

function TokenSection() {
  const { token, setToken } = useApp();
  const [value, setValue] = useState('');
  const act = useAction();
  const [verdict, setVerdict] = useState<{ ok: boolean; message: string } | null>(null);
  const id = useId();
  const hint = useId();

  async function save() {
    setVerdict(null);
    // The field is emptied at once, whatever happens next: the token never lingers in the page.
    const token = value;
    setValue('');
    const r = await act.run(() => api.token.set({ token }));
    if (r) {
      setToken(r);
      setVerdict({ ok: true, message: 'Token saved in the system keychain. Messages will now really be sent.' });
    }
  }
  async function test() {
    setVerdict(null);
    const r = await act.run(() => api.token.test());
    if (r) setVerdict(r);
  }
  async function clear() {
    setVerdict(null);
    // Clearing switches every later send to the sandbox: the user confirms it, and can cancel.
    if (
      !window.confirm(
        'Clear the 9bits token? SMS Desk goes back to sandbox mode: nothing is really sent until you paste a token again.',
      )
    )
      return;
    const r = await act.run(() => api.token.clear());
    if (r) {
      setToken(r);
      setVerdict({ ok: true, message: 'Token removed. SMS Desk is back in sandbox mode: nothing is really sent.' });
    }
  }

  return (
    <Section title="9bits API token">
      <p data-testid="token-status">
        {token == null ? (
          'Checking…'
        ) : token.set ? (
          <>
            A token is set
            {token.source === 'env' ? ' (from the SMSDESK_TOKEN environment variable)' : ' (in the system keychain)'}.
            Messages are really sent.
          </>
        ) : (
          <>
            No token is set: SMS Desk runs in <strong>sandbox</strong> mode and nothing is really sent.
          </>
        )}
      </p>
      {token?.problem ? (
        <p className="error-note" role="alert" data-testid="token-problem">
          {token.problem}
        </p>
      ) : null}
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="field grow">
          <label htmlFor={id}>{token?.set ? 'Replace the token' : 'Paste your token'}</label>
          <input
            id={id}
            type="password"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={hint}
          />
          <p id={hint} className="hint">
            From your 9bits account. It is stored in the system keychain and never shown again.
          </p>
        </div>
        <div className="field field-end inline">
          <button type="submit" className="primary" disabled={act.busy || value.trim() === ''}>
            Save token
          </button>
          <button type="button" disabled={act.busy || !token?.set} onClick={() => void test()}>
            Test token
          </button>
          <button
            type="button"
            className="danger"
            disabled={act.busy || !token?.set || token.source === 'env'}
            onClick={() => void clear()}
          >
            Clear token
          </button>
        </div>
      </form>
      <ErrorNote error={act.error} />
      {verdict ? (
        <p role="status" className={verdict.ok ? 'ok-note' : 'error-note'}>
          {verdict.message}
        </p>
      ) : null}
    </Section>
  );
}

function useSettingForm<K extends SettingKey>(k: K) {
  const { settings, setSetting } = useApp();
  const current = settings ? settings[k] : undefined;
  const [value, setValue] = useState(current === undefined ? '' : String(current));
  useEffect(() => {
    if (current !== undefined) setValue(String(current));
  }, [current]);
  const act = useAction();
  const [saved, setSaved] = useState(false);
  const commit = async (raw: unknown) => {
    setSaved(false);
    if (String(raw) === String(current)) return;
    const r = await act.run(() => setSetting(k, raw));
    if (r) setSaved(true);
    else setValue(current === undefined ? '' : String(current));
  };
  return { value, setValue, commit, act, saved, current: current as Settings[K] | undefined };
}

function SettingField({
  k,
  label,
  hint,
  type = 'text',
  step,
}: {
  k: SettingKey;
  label: string;
  hint?: string;
  type?: string;
  step?: string;
}) {
  const f = useSettingForm(k);
  const id = useId();
  const err = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        step={step}
        value={f.value}
        onChange={(e) => f.setValue(e.target.value)}
        onBlur={() => void f.commit(f.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') void f.commit(f.value);
        }}
        aria-invalid={!!f.act.error}
        aria-describedby={err}
        data-setting={k}
      />
      <div id={err}>
        {f.act.error ? (
          <p className="error-note" role="alert">
            {settingErrorForForm(k, f.act.error)}
          </p>
        ) : hint ? (
          <p className="hint">{hint}</p>
        ) : null}
        {f.saved ? (
          <p className="ok-note small" role="status">
            Saved.
          </p>
        ) : null}
      </div>
    </div>
  );
}

function SettingSelect({
  k,
  label,
  options,
  hint,
}: {
  k: SettingKey;
  label: string;
  options: Array<[string, string]>;
  hint?: string;
}) {
  const f = useSettingForm(k);
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={f.value}
        onChange={(e) => {
          f.setValue(e.target.value);
          void f.commit(e.target.value);
        }}
      >
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
      {hint ? <p className="hint">{hint}</p> : null}
      <ErrorNote error={f.act.error && settingErrorForForm(k, f.act.error)} />
    </div>
  );
}

function SettingCheck({ k, label, hint }: { k: SettingKey; label: string; hint?: string }) {
  const f = useSettingForm(k);
  return (
    <div className="field">
      <label className="check">
        <input
          type="checkbox"
          checked={f.value === 'true'}
          onChange={(e) => {
            f.setValue(String(e.target.checked));
            void f.commit(e.target.checked);
          }}
        />{' '}
        {label}
      </label>
      {hint ? <p className="hint">{hint}</p> : null}
      <ErrorNote error={f.act.error && settingErrorForForm(k, f.act.error)} />
    </div>
  );
}

/**
 * Price per part for foreign destinations. A country without an entry is estimated at the
 * Nigerian price and marked as a guess on Compose and Review.
 */
function PricesAbroad() {
  const { settings, setSetting } = useApp();
  const prices = settings?.['price.perCountry'] ?? {};
  const currency = settings?.['price.currency'] ?? 'NGN';
  const home = settings?.['price.perPart'] ?? 0;
  const [country, setCountry] = useState('');
  const [price, setPrice] = useState('');
  const act = useAction();
  const ids = { country: useId(), price: useId() };
  async function save(next: Record<string, number>) {
    return act.run(() => setSetting('price.perCountry', next));
  }
  async function add() {
    const code = country.trim().toUpperCase();
    const value = Number(price.trim());
    if (!/^[A-Z]{2}$/.test(code)) {
      act.setError('Enter the country as its two-letter code, e.g. GB for the United Kingdom or GH for Ghana.');
      return;
    }
    if (price.trim() === '' || !Number.isFinite(value) || value < 0) {
      act.setError(`Enter the price of one SMS part to ${code} in ${currency}, e.g. 30.`);
      return;
    }
    if (await save({ ...prices, [code]: value })) {
      setCountry('');
      setPrice('');
    }
  }
  const entries = Object.entries(prices).sort(([a], [b]) => a.localeCompare(b));
  return (
    <Section title="Price abroad">
      <p className="hint">
        Numbers outside Nigeria are estimated at the Nigerian price ({home} {currency} per part) until you enter their
        price here; Compose and Review mark that estimate as a guess.
      </p>
      {entries.length ? (
        <table className="grid compact" data-testid="prices-abroad">
          <thead>
            <tr>
              <th>Country</th>
              <th className="num">Price per part ({currency})</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {entries.map(([c, v]) => (
              <tr key={c}>
                <td>{c}</td>
                <td className="num">{v}</td>
                <td className="actions">
                  <button
                    type="button"
                    onClick={() => {
                      const next = { ...prices };
                      delete next[c];
                      void save(next);
                    }}
                  >
                    Remove {c}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <div className="field">
          <label htmlFor={ids.country}>Country (two letters)</label>
          <input
            id={ids.country}
            value={country}
            maxLength={2}
            placeholder="GB"
            onChange={(e) => setCountry(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.price}>Price per part ({currency})</label>
          <input
            id={ids.price}
            value={price}
            inputMode="decimal"
            placeholder="30"
            onChange={(e) => setPrice(e.target.value)}
          />
        </div>
        <div className="field field-end">
          <button type="submit" disabled={act.busy}>
            Set price
          </button>
        </div>
      </form>
      <ErrorNote error={act.error} />
    </Section>
  );
}
