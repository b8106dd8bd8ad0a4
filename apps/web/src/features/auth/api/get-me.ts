import { queryOptions, useQuery } from '@tanstack/react-query';
import { ApiError, request } from '../../../lib/api/client';
import type { AuthMethods, Me } from '../../../lib/api/types';

/**
 * Who is signed in and what they may do. `null` from an API without GET /me (an older server): the
 * page then offers every action and the API, which stays the authority, refuses what it must.
 */
export const meQuery = () =>
  queryOptions({
    queryKey: ['me'],
    queryFn: () =>
      request<Me>('GET', '/me').catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }),
    staleTime: 60_000,
    retryOnMount: false,
  });
export const useMe = () => useQuery(meQuery());

export const authMethodsQuery = () =>
  queryOptions({ queryKey: ['auth', 'methods'], queryFn: () => request<AuthMethods>('GET', '/auth/methods'), staleTime: Infinity });
export const useAuthMethods = () => useQuery(authMethodsQuery());

// Actions a member may take only on what is theirs: a goal they own, a task assigned to them.
const OWN_ONLY = new Set(['goal.recordActual', 'task.work', 'alert.acknowledge']);

/**
 * What the person may do in a project, as GET /me says: `can(action)`, or `can(action, owner)` for
 * a goal's owner or a task's assignee, which a member must be. The API stays the authority.
 */
export function useCan(projectId: string | undefined) {
  const { data } = useMe();
  if (data === null) return () => true;
  const project = data?.projects.find((p) => p.projectId === projectId);
  const admin = data?.orgRole === 'admin';
  return (action: string, owner?: string | null) => {
    if (admin) return true;
    if (!project?.actions.includes(action)) return false;
    if (owner === undefined || !OWN_ONLY.has(action) || project.roles.includes('manager')) return true;
    return owner !== null && owner === project.memberId;
  };
}
