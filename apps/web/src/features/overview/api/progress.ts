import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../../lib/api/client';
import type { Goal, GoalProgress, HistoryEntry, ProjectProgress } from '../../../lib/api/types';

export const projectProgressQuery = (projectId: string, date?: string, minPosition?: string) =>
  queryOptions({
    queryKey: ['progress', projectId, date ?? 'today'],
    queryFn: () =>
      unwrap<ProjectProgress>(api.GET('/projects/{projectId}/progress', { params: { path: { projectId }, query: { date, minPosition } } })),
    placeholderData: keepPreviousData,
  });

export const useProjectProgress = (projectId: string, date?: string) => useQuery(projectProgressQuery(projectId, date));

export const goalProgressQuery = (projectId: string, goalId: string, date?: string) =>
  queryOptions({
    queryKey: ['goal', 'progress', goalId, projectId, date ?? 'today'],
    queryFn: () => unwrap<GoalProgress>(api.GET('/goals/{goalId}/progress', { params: { path: { goalId }, query: { date } } })),
  });

export const useGoalProgress = (projectId: string, goalId: string | undefined, date?: string) =>
  useQuery({ ...goalProgressQuery(projectId, goalId ?? '', date), enabled: goalId !== undefined });

/** The goal as stored, with its ETag: what an edit's If-Match names. */
export const goalQuery = (goalId: string) =>
  queryOptions({
    queryKey: ['goal', 'definition', goalId],
    queryFn: () => unwrap<Goal>(api.GET('/goals/{goalId}', { params: { path: { goalId } } })),
  });

export const useGoal = (goalId: string | undefined) => useQuery({ ...goalQuery(goalId ?? ''), enabled: goalId !== undefined });

/** A goal's plan changes, for the markers on its burn-up. */
export const useGoalHistory = (projectId: string, goalId: string | undefined) =>
  useQuery({
    queryKey: ['history', projectId, goalId],
    enabled: goalId !== undefined,
    queryFn: () =>
      unwrap<{ entries: HistoryEntry[] }>(
        api.GET('/projects/{projectId}/history', { params: { path: { projectId }, query: { goalId, limit: 500 } } }),
      ).then((r) => r.entries),
  });
