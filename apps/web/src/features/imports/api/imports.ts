import { useMutation, useQuery } from '@tanstack/react-query';
import { api, postForm, unwrap } from '../../../lib/api/client';

// The import answers as POST /projects/{id}/imports and GET …/imports/{jobId} give them.

export type SheetKind = 'members' | 'goals' | 'tasks' | 'actuals';

export interface ImportProblem {
  sheet: string;
  row: number | null;
  column: string | null;
  field: string | null;
  code: string;
  message: string;
  severity: 'error' | 'warning';
}

export interface ImportSheetSummary {
  sheet: string;
  kind: SheetKind;
  rows: number;
  written: number;
  alreadyPresent: number;
  rejected: number;
}

export interface ImportReport {
  importId: string;
  fileName: string;
  dryRun: boolean;
  ok: boolean;
  committed: boolean;
  sheets: ImportSheetSummary[];
  problems: ImportProblem[];
  moreProblems: number;
  eventsWritten: number;
}

export interface ImportProgress {
  phase: 'reading' | 'checking' | 'writing' | 'done';
  done: number;
  total: number;
}

export interface ImportJob {
  jobId: string;
  projectId: string;
  fileName: string;
  status: 'running' | 'succeeded' | 'failed' | 'interrupted';
  progress: ImportProgress;
  report: ImportReport | null;
  error: { code: string; message: string } | null;
}

/** The locales a file's dates and numbers may be written in (15.01.2027 needs de-DE). */
export const FILE_LOCALES = { en: 'en-US', zh: 'zh-CN', de: 'de-DE' } as const;
export type FileLocale = keyof typeof FILE_LOCALES;

function form(file: File): FormData {
  const data = new FormData();
  data.append('file', file, file.name);
  return data;
}

const importsPath = (projectId: string, query: Record<string, string>) =>
  `/projects/${encodeURIComponent(projectId)}/imports?${new URLSearchParams(query).toString()}`;

/** The dry run: every row checked, problems by sheet, row and column, nothing written. */
export function useDryRun(projectId: string) {
  return useMutation({
    mutationFn: async ({ file, locale }: { file: File; locale: FileLocale }) =>
      (await postForm<ImportReport>(importsPath(projectId, { dryRun: 'true', locale: FILE_LOCALES[locale] }), form(file))).body,
  });
}

/** The import itself, as a job to poll. */
export function useStartImport(projectId: string) {
  return useMutation({
    mutationFn: async ({ file, locale }: { file: File; locale: FileLocale }) =>
      (await postForm<ImportJob>(importsPath(projectId, { dryRun: 'false', locale: FILE_LOCALES[locale] }), form(file))).body,
  });
}

/** A running import, polled until it ends. */
export function useImportJob(projectId: string, jobId: string | undefined) {
  return useQuery({
    queryKey: ['import-job', projectId, jobId],
    enabled: jobId !== undefined,
    queryFn: () =>
      unwrap<ImportJob>(api.GET('/projects/{projectId}/imports/{jobId}', { params: { path: { projectId, jobId: jobId as string } } })),
    refetchInterval: (query) => (query.state.data?.status === 'running' || query.state.data === undefined ? 500 : false),
  });
}

/** Where the import templates and the project workbook are downloaded from (plain links: the session cookie goes along). */
export const templateUrl = (lang: 'en' | 'zh-CN') => `/imports/template.xlsx?lang=${lang}`;
export const csvTemplateUrl = (lang: 'en' | 'zh-CN') => `/imports/template.csv?kind=actuals&lang=${lang}`;
