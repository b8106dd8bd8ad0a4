import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../lib/api/client';
import { useCommand } from '../../../lib/api/command';
import type { CommandResult, HistoryEntry, TaskBoard, TaskDetail } from '../../../lib/api/types';

const lastPosition = (result: CommandResult) =>
  (Array.isArray(result.position) ? result.position[result.position.length - 1] : result.position) ?? undefined;

export const taskBoardQuery = (projectId: string, minPosition?: string) =>
  queryOptions({
    queryKey: ['tasks', projectId],
    queryFn: () => unwrap<TaskBoard>(api.GET('/projects/{projectId}/tasks', { params: { path: { projectId }, query: { minPosition } } })),
  });

export const useTaskBoard = (projectId: string) => useQuery(taskBoardQuery(projectId));

/** The task as stored, with its ETag: what an edit's If-Match names. */
export const taskQuery = (projectId: string, taskId: string) =>
  queryOptions({
    queryKey: ['task', projectId, taskId],
    queryFn: () => unwrap<TaskDetail>(api.GET('/tasks/{taskId}', { params: { path: { taskId } } })),
  });

export const useTask = (projectId: string, taskId: string | undefined) =>
  useQuery({ ...taskQuery(projectId, taskId ?? ''), enabled: taskId !== undefined });

/** Every change of one task, oldest first, with who, when and why. */
export const useTaskHistory = (projectId: string, taskId: string | undefined) =>
  useQuery({
    queryKey: ['history', projectId, 'task', taskId],
    enabled: taskId !== undefined,
    queryFn: () =>
      unwrap<{ entries: HistoryEntry[] }>(
        api.GET('/projects/{projectId}/history', { params: { path: { projectId }, query: { taskId, limit: 500 } } }),
      ).then((r) => r.entries),
  });

/** After a task command: the board at the position it wrote (read-your-writes), then the task and its history. */
function useAfterTaskWrite(projectId: string) {
  const client = useQueryClient();
  return async (result: CommandResult) => {
    const board = await unwrap<TaskBoard>(
      api.GET('/projects/{projectId}/tasks', { params: { path: { projectId }, query: { minPosition: lastPosition(result) } } }),
    );
    client.setQueryData(taskBoardQuery(projectId).queryKey, board);
    // The rest refreshes behind: the dialog closes once the view it came from shows the write.
    void client.invalidateQueries({ queryKey: ['task', projectId] });
    void client.invalidateQueries({ queryKey: ['history', projectId] });
  };
}

export type TaskAction =
  | { kind: 'start' }
  | { kind: 'complete'; note?: string }
  | { kind: 'block'; reason: string }
  | { kind: 'unblock'; note?: string }
  | { kind: 'progress'; percent: number; note?: string };

/**
 * One task action with the If-Match of the task as the person saw it (`etag`, from the drawer);
 * from a board card, which carries no revision, the task is read just before. 412: someone moved it first.
 */
export function useTaskAction(projectId: string) {
  const after = useAfterTaskWrite(projectId);
  return useCommand(
    async ({ taskId, action, etag }: { taskId: string; action: TaskAction; etag?: string }, keyed) => {
      const headers = etag
        ? keyed
        : { ...keyed, ...ifMatchOf(await unwrap<TaskDetail>(api.GET('/tasks/{taskId}', { params: { path: { taskId } } }))) };
      const path = { taskId };
      switch (action.kind) {
        case 'start':
          return unwrap<CommandResult>(api.POST('/tasks/{taskId}/start', { params: { path }, body: {}, headers }));
        case 'complete':
          return unwrap<CommandResult>(
            api.POST('/tasks/{taskId}/completion', { params: { path }, body: { note: action.note ?? '' }, headers }),
          );
        case 'block':
          return unwrap<CommandResult>(api.POST('/tasks/{taskId}/block', { params: { path }, body: { reason: action.reason }, headers }));
        case 'unblock':
          return unwrap<CommandResult>(
            api.POST('/tasks/{taskId}/unblock', { params: { path }, body: { note: action.note ?? '' }, headers }),
          );
        case 'progress':
          return unwrap<CommandResult>(
            api.POST('/tasks/{taskId}/progress', { params: { path }, body: { percent: action.percent, note: action.note ?? '' }, headers }),
          );
      }
    },
    { onSuccess: after },
  );
}

const ifMatchOf = (task: { etag?: string }) => (task.etag ? { 'If-Match': task.etag } : {});

export interface PlanTaskInput {
  title: string;
  dueDate: string;
  description?: string;
  assigneeId?: string;
  goalId?: string;
  estimateHours?: number;
}

/** Plans a new task in the project; with the action's Idempotency-Key a retry finds the same task. */
export function usePlanTask(projectId: string) {
  const after = useAfterTaskWrite(projectId);
  return useCommand(
    (body: PlanTaskInput, headers) =>
      unwrap<CommandResult>(
        api.POST('/projects/{projectId}/tasks', { params: { path: { projectId } }, body: { description: '', ...body }, headers }),
      ),
    { onSuccess: after },
  );
}

export interface AssignTaskInput {
  taskId: string;
  etag?: string;
  assigneeId: string;
  /** Required by the API when the task changes hands. */
  reason?: string;
  /** A task with no assignee is assigned; one with an assignee is reassigned. */
  reassign: boolean;
}

export function useAssignTask(projectId: string) {
  const after = useAfterTaskWrite(projectId);
  return useCommand(
    ({ taskId, assigneeId, reason, reassign }: AssignTaskInput, headers) => {
      const body = reason ? { assigneeId, reason } : { assigneeId };
      const path = { taskId };
      return unwrap<CommandResult>(
        reassign
          ? api.POST('/tasks/{taskId}/reassignment', { params: { path }, body, headers })
          : api.POST('/tasks/{taskId}/assignment', { params: { path }, body, headers }),
      );
    },
    { onSuccess: after },
  );
}
