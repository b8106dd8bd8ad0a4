import { useMemo } from 'react';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../../lib/api/client';
import type { TeamBoard } from '../../../lib/api/types';

export const teamQuery = (projectId: string) =>
  queryOptions({
    queryKey: ['team', projectId],
    queryFn: () => unwrap<TeamBoard>(api.GET('/projects/{projectId}/team', { params: { path: { projectId } } })),
  });

export const useTeam = (projectId: string) => useQuery(teamQuery(projectId));

/** Each member's name by id, as the team page shows them (a member who left keeps their id). */
export function useMemberNames(projectId: string): Map<string, string> {
  const team = useTeam(projectId);
  return useMemo(() => new Map((team.data?.members ?? []).map((m) => [m.memberId, m.name])), [team.data]);
}
