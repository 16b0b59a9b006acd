/**
 * Who is signed in, and what they may do: the `whoami` answer, kept by TanStack Query, and the sign-in and sign-out
 * actions. The access role on a project is the highest of the user's grants on it and their global grants; what a
 * role cannot do is not offered (`useCan`).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import type { WhoamiView } from '@slipway/contract';
import { SlipwayError } from '@slipway/contract/errors';
import { higherRole, isRoleAtLeast, type Role } from '@slipway/contract/role-rank';
import { api } from '../api/app-api.js';
import { callJson, markSignedIn, onSessionEnded } from '../api/web-api.js';

export interface Session {
  readonly state: 'loading' | 'signed-in' | 'signed-out';
  readonly whoami: WhoamiView | undefined;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** The caller's role on a project (undefined: none); with no project, the global role. */
  roleOn(project: string | undefined): Role | undefined;
}

const SessionContext = createContext<Session | undefined>(undefined);

/** Who is signed in: a refusal (`401`) says nobody, and is not asked again. */
export const whoamiQuery = queryOptions({
  queryKey: ['whoami'],
  queryFn: () => api.whoami(),
  staleTime: 60_000,
  retry: false,
});

export function roleOf(whoami: WhoamiView | undefined, project: string | undefined): Role | undefined {
  let role: Role | undefined;
  for (const grant of whoami?.grants ?? []) {
    if (grant.project === null || (project !== undefined && grant.project === project)) {
      role = higherRole(role, grant.role);
    }
  }
  return role;
}

export function SessionProvider({ children }: { readonly children: ReactNode }) {
  const queryClient = useQueryClient();
  const [hasEnded, setHasEnded] = useState(false);
  const whoami = useQuery({ ...whoamiQuery, enabled: !hasEnded });
  useEffect(
    () =>
      onSessionEnded(() => {
        setHasEnded(true);
        queryClient.clear();
      }),
    [queryClient],
  );
  const signIn = useCallback(
    async (username: string, password: string) => {
      await callJson('POST', '/api/v1/auth/web/login', { username, password });
      markSignedIn();
      queryClient.clear();
      setHasEnded(false);
      await queryClient.fetchQuery(whoamiQuery);
    },
    [queryClient],
  );
  const signOut = useCallback(async () => {
    await callJson('POST', '/api/v1/auth/web/logout').catch(() => undefined);
    setHasEnded(true);
    queryClient.clear();
  }, [queryClient]);
  const isUnauthenticated = whoami.error instanceof SlipwayError && whoami.error.code === 'UNAUTHENTICATED';
  const state: Session['state'] =
    hasEnded || isUnauthenticated || (whoami.isError && whoami.data === undefined)
      ? 'signed-out'
      : whoami.data === undefined
        ? 'loading'
        : 'signed-in';
  const value = useMemo<Session>(
    () => ({
      state,
      whoami: state === 'signed-in' ? whoami.data : undefined,
      signIn,
      signOut,
      roleOn: (project) => roleOf(whoami.data, project),
    }),
    [state, whoami.data, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside SessionProvider');
  return session;
}

/** Whether the caller holds at least `role` on `project` (globally when no project is given). */
export function useCan(role: Role, project: string | undefined): boolean {
  return isRoleAtLeast(useSession().roleOn(project), role);
}
