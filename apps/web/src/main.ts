/**
 * The dashboard's first script, a few kilobytes: it asks for the first page's data, applies the theme, and loads the
 * dashboard (`start-dashboard.tsx`, which the page preloads beside it), so the requests travel while the dashboard's
 * code is fetched and compiled instead of after it.
 */
import { startFirstPageRequests } from './first-page-requests.js';
import { applyTheme, storedTheme, systemTheme } from './layout/theme.js';
import './styles.css';

const requests = startFirstPageRequests(window.location);
applyTheme(storedTheme() ?? systemTheme());

void import('./start-dashboard.js').then(
  ({ startDashboard }) => startDashboard(requests),
  () => {
    // A chunk gone (slipwayd upgraded while the page loaded): a reload fetches the new page.
    document.getElementById('root')?.replaceChildren('The dashboard could not be loaded: reload the page.');
  },
);
