import { useEffect, useRef, useState } from 'react';
import { AppProvider, useApp } from './appState.tsx';
import { href, parseRoute, type Route } from './route.ts';
import { ImportPage } from './features/import/ImportPage.tsx';
import { ComposePage } from './features/compose/ComposePage.tsx';
import { ReviewPage } from './features/review/ReviewPage.tsx';
import { DashboardPage } from './features/campaigns/DashboardPage.tsx';
import { HistoryPage } from './features/history/HistoryPage.tsx';
import { SettingsPage } from './features/settings/SettingsPage.tsx';
import { ActiveStrip } from './features/campaigns/ActiveStrip.tsx';
import { useActiveCampaigns } from './features/campaigns/useActive.ts';
import { useWebNotices } from './features/campaigns/useNotices.ts';
import { onEvent } from './api/index.ts';

const NAV: Array<{ page: Route['page']; label: string; step?: string }> = [
  { page: 'import', label: 'Import contacts', step: '1' },
  { page: 'compose', label: 'Compose', step: '2' },
  { page: 'review', label: 'Review and send', step: '3' },
  { page: 'history', label: 'History' },
  { page: 'settings', label: 'Settings' },
];

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

// The address the app was opened with: none (a fresh start, a restart) opens on a sending campaign.
const OPENED_WITHOUT_PAGE = typeof window !== 'undefined' && /^#?\/?$/.test(window.location.hash);

function Shell() {
  const route = useRoute();
  const { sandbox, loadError, info } = useApp();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  const live = useActiveCampaigns();
  useWebNotices(live);
  const opened = useRef(false);
  // "the engine stopped unexpectedly and was restarted": calls it held failed, so the user must hear of it
  const [engineNotice, setEngineNotice] = useState<string | null>(null);
  useEffect(() => onEvent('engine-notice', (p) => setEngineNotice(p.message)), []);
  useEffect(() => {
    if (opened.current || !live) return;
    opened.current = true;
    const sending = live.find((c) => c.state === 'sending');
    if (OPENED_WITHOUT_PAGE && sending && parseRoute(window.location.hash).page === 'import')
      window.location.replace(href({ page: 'campaign', id: sending.id }));
  }, [live]);

  // Move focus to the new page's heading so keyboard and screen-reader users land on it.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [route]);

  const active = route.page === 'campaign' ? 'history' : route.page;
  return (
    <div className="shell">
      <a
        className="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">SMS Desk</div>
        {info ? (
          sandbox ? (
            <div className="badge badge-sandbox" role="status">
              Sandbox — nothing is really sent
            </div>
          ) : (
            <div className="badge badge-live" role="status">
              LIVE — messages are sent and billed
            </div>
          )
        ) : // the desktop window opens before the engine is ready; every call waits for it meanwhile
        loadError ? null : (
          <div className="badge badge-starting" role="status">
            Starting SMS Desk…
          </div>
        )}
      </header>
      <ActiveStrip campaigns={live} route={route} />
      <nav className="sidenav" aria-label="Main">
        <ul>
          {NAV.map((n) => (
            <li key={n.page}>
              <a href={href({ page: n.page } as Route)} aria-current={active === n.page ? 'page' : undefined}>
                {n.step ? (
                  <span className="step" aria-hidden="true">
                    {n.step}
                  </span>
                ) : (
                  <span className="step step-blank" aria-hidden="true" />
                )}
                {n.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={main} tabIndex={-1}>
        {loadError ? (
          <p className="error-note" role="alert">
            {loadError}
          </p>
        ) : null}
        {engineNotice ? (
          <p className="error-note" role="alert">
            {engineNotice}{' '}
            <button type="button" onClick={() => setEngineNotice(null)}>
              Dismiss
            </button>
          </p>
        ) : null}
        <Page route={route} />
      </main>
    </div>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'import':
      return <ImportPage />;
    case 'compose':
      return <ComposePage />;
    case 'review':
      return <ReviewPage />;
    case 'campaign':
      return <DashboardPage id={route.id} key={route.id} />;
    case 'history':
      return <HistoryPage />;
    case 'settings':
      return <SettingsPage />;
  }
}

export function App() {
  return (
    <AppProvider>
      <Shell />
    </AppProvider>
  );
}
