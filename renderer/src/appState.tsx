import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, type RouteOutput } from './api/index.ts';
import type { SettingKey, Settings } from '../../shared/settings.ts';
import { messageOf } from './components/useAction.ts';

type Info = RouteOutput<'app.info'>;
type TokenStatus = RouteOutput<'token.status'>;

/** What compose hands to review: nothing is created in the engine until the user sends or schedules. */
export interface Draft {
  listId: number | null;
  sender: string;
  text: string;
  sendAt: number | null;
  schedule: 'local' | 'gateway';
  /** the data check's answer for recipients with a blank merge value; null = not chosen yet */
  blank: 'skip' | 'send' | null;
  /** which list and blank fields that answer was given for (a new list or field needs a new answer) */
  blankFor: string;
  /** values that alone make a message Unicode: sent as written, or without their accents */
  accents: 'keep' | 'strip';
}

interface AppState {
  info: Info | null;
  settings: Settings | null;
  token: TokenStatus | null;
  sandbox: boolean;
  loadError: string | null;
  setSetting<K extends SettingKey>(key: K, value: unknown): Promise<Settings>;
  refreshToken(): Promise<void>;
  setToken(t: TokenStatus): void;
  draft: Draft;
  /** a change to merge in; a function decides from the draft as it is when the change lands */
  setDraft(update: Partial<Draft> | ((d: Draft) => Partial<Draft>)): void;
}

const Ctx = createContext<AppState | null>(null);
const DRAFT_KEY = 'smsdesk.draft';
const EMPTY_DRAFT: Draft = {
  listId: null,
  sender: '',
  text: '',
  sendAt: null,
  schedule: 'local',
  blank: null,
  blankFor: '',
  accents: 'keep',
};

function loadDraft(): Draft {
  try {
    const raw = JSON.parse(sessionStorage.getItem(DRAFT_KEY) ?? 'null') as Partial<Draft> | null;
    if (!raw || typeof raw !== 'object') return EMPTY_DRAFT;
    return {
      listId: typeof raw.listId === 'number' ? raw.listId : null,
      sender: typeof raw.sender === 'string' ? raw.sender : '',
      text: typeof raw.text === 'string' ? raw.text : '',
      sendAt: typeof raw.sendAt === 'number' ? raw.sendAt : null,
      schedule: raw.schedule === 'gateway' ? 'gateway' : 'local',
      blank: raw.blank === 'skip' || raw.blank === 'send' ? raw.blank : null,
      blankFor: typeof raw.blankFor === 'string' ? raw.blankFor : '',
      accents: raw.accents === 'strip' ? 'strip' : 'keep',
    };
  } catch {
    return EMPTY_DRAFT;
  }
}

export function useApp(): AppState {
  const v = useContext(Ctx);
  if (!v) throw new Error('useApp outside <AppProvider>');
  return v;
}

export function AppProvider({ children }: { children: ReactNode }) {
  const [info, setInfo] = useState<Info | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [token, setToken] = useState<TokenStatus | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraftState] = useState<Draft>(loadDraft);
  // A reload (or a crash of the page) keeps the message being written.
  useEffect(() => {
    try {
      sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
    } catch {
      /* storage off: keep it in memory */
    }
  }, [draft]);

  useEffect(() => {
    Promise.all([api.app.info(), api.settings.all(), api.token.status()]).then(
      ([i, s, t]) => {
        setInfo(i);
        setSettings(s);
        setToken(t);
        setDraftState((d) => (d.sender ? d : { ...d, sender: s['sender.last'] }));
      },
      (e) => setLoadError(messageOf(e)),
    );
  }, []);

  const setSetting = useCallback(async (key: SettingKey, value: unknown) => {
    const next = await api.settings.set({ key, value });
    setSettings(next);
    return next;
  }, []);
  const refreshToken = useCallback(async () => {
    setToken(await api.token.status());
  }, []);
  const setDraft = useCallback(
    (u: Partial<Draft> | ((d: Draft) => Partial<Draft>)) =>
      setDraftState((d) => ({ ...d, ...(typeof u === 'function' ? u(d) : u) })),
    [],
  );

  const value = useMemo<AppState>(
    () => ({
      info,
      settings,
      token,
      loadError,
      setSetting,
      refreshToken,
      setToken,
      draft,
      setDraft,
      sandbox: token ? token.sandbox : info ? info.sandbox : true,
    }),
    [info, settings, token, loadError, setSetting, refreshToken, draft, setDraft],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
