/** The dashboard: the query client (holding the first page's answers), the session, and the pages by URL. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { isFinalError } from './api/web-api.js';
import { appRoutes } from './app-routes.js';
import type { FirstPageRequests } from './first-page-requests.js';
import { seedFirstPage } from './seed-first-page.js';
import { SessionProvider } from './session/session.js';

export function startDashboard(requests: FirstPageRequests): void {
  const queryClient = new QueryClient({
    defaultOptions: {
      queries: {
        // Fresh data arrives by the live stream, not by polling; a refusal is never asked again.
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (failures, error) => !isFinalError(error) && failures < 2,
      },
      mutations: { retry: false },
    },
  });
  seedFirstPage(queryClient, requests);
  const router = createBrowserRouter(appRoutes);
  const root = document.getElementById('root');
  if (root === null) return;
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <RouterProvider router={router} />
        </SessionProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
}
