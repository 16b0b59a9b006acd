/** The frame of every signed-in page: a skip link, the navigation, the live indicator, the theme and the user. */
import { useState } from 'react';
import { NavLink, Outlet } from 'react-router';
import { useSession } from '../session/session.js';
import { useLiveState } from '../live/use-live.js';
import { QuickSwitcher } from './quick-switcher.js';
import { saveTheme, storedTheme, systemTheme, type Theme } from './theme.js';

const sections = [
  { to: '/', label: 'Apps', end: true },
  { to: '/delivery', label: 'Delivery', end: false },
  { to: '/catalog', label: 'Catalog', end: false },
  { to: '/git', label: 'Git', end: false },
  { to: '/admin', label: 'Administration', end: false },
];

const liveWords = {
  idle: 'Live: idle',
  connecting: 'Live: connecting',
  open: 'Live',
  retrying: 'Live: reconnecting',
  stopped: 'Live: stopped',
} as const;

export function AppShell() {
  const session = useSession();
  const live = useLiveState();
  const [theme, setTheme] = useState<Theme>(() => storedTheme() ?? systemTheme());
  const nextTheme: Theme = theme === 'dark' ? 'light' : 'dark';
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand">
          Slipway
        </NavLink>
        <nav aria-label="Sections" className="sections">
          {sections.map((section) => (
            <NavLink key={section.to} to={section.to} end={section.end}>
              {section.label}
            </NavLink>
          ))}
        </nav>
        <div className="topbar-tools">
          <QuickSwitcher />
          <span className={`live live-${live}`} role="status" aria-live="polite">
            {liveWords[live]}
          </span>
          <button
            type="button"
            className="button button-quiet"
            onClick={() => {
              saveTheme(nextTheme);
              setTheme(nextTheme);
            }}
          >
            {nextTheme === 'dark' ? 'Dark theme' : 'Light theme'}
          </button>
          <span className="user">{session.whoami?.user.name}</span>
          <button type="button" className="button" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
