import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../../lib/api/client';
import type { ProjectSummary } from '../../../lib/api/types';

export const projectsQuery = () =>
  queryOptions({
    queryKey: ['projects'],
    queryFn: () =>
      unwrap<{ projects: ProjectSummary[] }>(api.GET('/projects', { params: { query: { limit: 100 } } })).then((r) => r.projects),
  });

export const useProjects = () => useQuery(projectsQuery());

/** One project with its charter: its time zone is where its business days and moments are read. */
export const projectQuery = (projectId: string) =>
  queryOptions({
    queryKey: ['project', projectId],
    queryFn: () =>
      unwrap<{ projectId: string; status: string; charter: { name: string; timeZone: string; currency: string } | null }>(
        api.GET('/projects/{projectId}', { params: { path: { projectId } } }),
      ),
    staleTime: 5 * 60_000,
  });

/** The project's time zone (its charter's), undefined while it loads. */
export const useProjectTimeZone = (projectId: string | undefined) =>
  useQuery({ ...projectQuery(projectId ?? ''), enabled: projectId !== undefined, select: (p) => p.charter?.timeZone ?? 'UTC' }).data;

export interface Evaluation {
  teamAttainment: number | null;
  summary: string;
  recordedAt: string;
}

/** A closed project's evaluations as published (the wrap-up), the latest last. */
export const evaluationsQuery = (projectId: string) =>
  queryOptions({
    queryKey: ['wrap-up', projectId],
    queryFn: () =>
      unwrap<{ evaluations: Evaluation[] }>(api.GET('/projects/{projectId}/wrap-up', { params: { path: { projectId } } })).then(
        (r) => r.evaluations ?? [],
      ),
    staleTime: 5 * 60_000,
  });
