import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../../lib/api/client';
import type { GoalFigure, TaskCard } from '../../../lib/api/types';

export interface MyWork {
  subject: string;
  projects: { projectId: string; name: string; memberId: string; date: string; goals: GoalFigure[]; tasks: TaskCard[] }[];
}

export interface SearchHit {
  kind: 'goal' | 'task' | 'issue' | 'feedback' | 'lesson';
  id: string;
  projectId: string;
  projectName: string;
  title: string;
  excerpt: string;
}

export const useMyWork = () => useQuery({ queryKey: ['work'], queryFn: () => unwrap<MyWork>(api.GET('/me/work')) });

export const useSearch = (q: string) =>
  useQuery({
    queryKey: ['search', q],
    enabled: q.trim().length > 0,
    placeholderData: keepPreviousData,
    queryFn: () =>
      unwrap<{ q: string; hits: SearchHit[] }>(api.GET('/search', { params: { query: { q, limit: 50 } } })).then((r) => r.hits),
  });
