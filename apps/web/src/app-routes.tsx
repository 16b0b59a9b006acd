/** The dashboard's pages by URL; every page but sign-in needs a session. */
import type { RouteObject } from 'react-router';
import { AppShell } from './layout/app-shell.js';
import { SignedInOnly } from './session/signed-in-only.js';
import { AdminPage } from './pages/admin/admin-page.js';
import { AppPage } from './pages/app-page.js';
import { CatalogPage } from './pages/catalog/catalog-page.js';
import { NewAppPage } from './pages/new-app-page.js';
import { DeploymentPage } from './pages/deployment-page.js';
import { GitPage } from './pages/git/git-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { OverviewPage } from './pages/overview-page.js';
import { ApprovalsPage } from './pages/delivery/approvals-page.js';
import { DeliveryLayout } from './pages/delivery/delivery-layout.js';
import { NotificationsPage } from './pages/delivery/notifications-page.js';
import { RolloutsPage } from './pages/delivery/rollouts-page.js';

export const appRoutes: RouteObject[] = [
  {
    element: <SignedInOnly />,
    children: [
      {
        element: <AppShell />,
        children: [
          { index: true, element: <OverviewPage /> },
          { path: 'new-app', element: <NewAppPage /> },
          { path: 'apps/:app', element: <AppPage /> },
          {
            path: 'delivery',
            element: <DeliveryLayout />,
            children: [
              { index: true, element: <RolloutsPage /> },
              { path: 'approvals', element: <ApprovalsPage /> },
              { path: 'notifications', element: <NotificationsPage /> },
            ],
          },
          { path: 'catalog', element: <CatalogPage /> },
          { path: 'git', element: <GitPage /> },
          { path: 'admin', element: <AdminPage /> },
          { path: 'admin/:tab', element: <AdminPage /> },
          { path: 'deployments/:id', element: <DeploymentPage /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];
