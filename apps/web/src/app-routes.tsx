/**
 * The dashboard's pages by URL; every page but sign-in needs a session. The apps overview (the first page of most
 * visits) is in the dashboard's chunk, which the page preloads; every other page is its own chunk, fetched when its
 * URL is first opened.
 */
import type { RouteObject } from 'react-router';
import { AppShell } from './layout/app-shell.js';
import { SignedInOnly } from './session/signed-in-only.js';
import { OverviewPage } from './pages/overview-page.js';

export const appRoutes: RouteObject[] = [
  {
    element: <SignedInOnly />,
    children: [
      {
        element: <AppShell />,
        children: [
          { index: true, element: <OverviewPage /> },
          { path: 'new-app', lazy: async () => ({ Component: (await import('./pages/new-app-page.js')).NewAppPage }) },
          { path: 'apps/:app', lazy: async () => ({ Component: (await import('./pages/app-page.js')).AppPage }) },
          {
            path: 'delivery',
            lazy: async () => ({ Component: (await import('./pages/delivery/delivery-layout.js')).DeliveryLayout }),
            children: [
              {
                index: true,
                lazy: async () => ({ Component: (await import('./pages/delivery/rollouts-page.js')).RolloutsPage }),
              },
              {
                path: 'approvals',
                lazy: async () => ({ Component: (await import('./pages/delivery/approvals-page.js')).ApprovalsPage }),
              },
              {
                path: 'notifications',
                lazy: async () => ({
                  Component: (await import('./pages/delivery/notifications-page.js')).NotificationsPage,
                }),
              },
            ],
          },
          {
            path: 'catalog',
            lazy: async () => ({ Component: (await import('./pages/catalog/catalog-page.js')).CatalogPage }),
          },
          { path: 'git', lazy: async () => ({ Component: (await import('./pages/git/git-page.js')).GitPage }) },
          { path: 'admin', lazy: async () => ({ Component: (await import('./pages/admin/admin-page.js')).AdminPage }) },
          {
            path: 'admin/:tab',
            lazy: async () => ({ Component: (await import('./pages/admin/admin-page.js')).AdminPage }),
          },
          {
            path: 'deployments/:id',
            lazy: async () => ({ Component: (await import('./pages/deployment-page.js')).DeploymentPage }),
          },
          {
            path: '*',
            lazy: async () => ({ Component: (await import('./pages/not-found-page.js')).NotFoundPage }),
          },
        ],
      },
    ],
  },
];
