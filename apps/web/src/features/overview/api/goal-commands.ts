import { useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../lib/api/client';
import { useCommand } from '../../../lib/api/command';
import type { CommandResult, ProjectProgress } from '../../../lib/api/types';
import { projectProgressQuery } from './progress';

/** After a command: read the views at the position it wrote (read-your-writes), then refresh the rest. */
function useAfterWrite(projectId: string) {
  const client = useQueryClient();
  return async (result: CommandResult) => {
    const position = Array.isArray(result.position) ? result.position[result.position.length - 1] : result.position;
    const data = await unwrap<ProjectProgress>(
      api.GET('/projects/{projectId}/progress', { params: { path: { projectId }, query: { minPosition: position ?? undefined } } }),
    );
    client.setQueryData(projectProgressQuery(projectId).queryKey, data);
    // The rest refreshes behind: the dialog closes once the view it came from shows the write.
    void client.invalidateQueries({ queryKey: ['goal'] });
    void client.invalidateQueries({ queryKey: ['history', projectId] });
  };
}

export interface RecordActualInput {
  goalId: string;
  etag?: string;
  value: number;
  businessDate: string;
  source: string;
}

export function useRecordActual(projectId: string) {
  const after = useAfterWrite(projectId);
  return useCommand(
    ({ goalId, value, businessDate, source }: RecordActualInput, headers) =>
      unwrap<CommandResult>(
        api.POST('/goals/{goalId}/actuals', { params: { path: { goalId } }, body: { value, businessDate, source }, headers }),
      ),
    { onSuccess: after },
  );
}

export interface CorrectActualInput {
  goalId: string;
  etag?: string;
  actualId: string;
  value: number;
  reason: string;
}

/** Corrects a recorded actual (its value replaced, the reason kept in the history). */
export function useCorrectActual(projectId: string) {
  const after = useAfterWrite(projectId);
  return useCommand(
    ({ goalId, actualId, value, reason }: CorrectActualInput, headers) =>
      unwrap<CommandResult>(
        api.POST('/goals/{goalId}/actuals/{actualId}/corrections', {
          params: { path: { goalId, actualId } },
          body: { value, reason },
          headers,
        }),
      ),
    { onSuccess: after },
  );
}

export interface AdjustTargetInput {
  goalId: string;
  etag?: string;
  target: number;
  reason: string;
}

export function useAdjustTarget(projectId: string) {
  const after = useAfterWrite(projectId);
  return useCommand(
    ({ goalId, target, reason }: AdjustTargetInput, headers) =>
      unwrap<CommandResult>(
        api.POST('/goals/{goalId}/target-adjustments', { params: { path: { goalId } }, body: { target, reason }, headers }),
      ),
    { onSuccess: after },
  );
}

export interface MoveDeadlineInput {
  goalId: string;
  etag?: string;
  deadline: string;
  reason: string;
}

export function useMoveDeadline(projectId: string) {
  const after = useAfterWrite(projectId);
  return useCommand(
    ({ goalId, deadline, reason }: MoveDeadlineInput, headers) =>
      unwrap<CommandResult>(
        api.POST('/goals/{goalId}/deadline-moves', { params: { path: { goalId } }, body: { deadline, reason }, headers }),
      ),
    { onSuccess: after },
  );
}
