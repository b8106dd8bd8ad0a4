import { parseEvent, type GoalEvent, type PlanLedgerEvent, type TaskEvent } from '@planledger/contracts';
import {
  dayIn,
  evolveGoalProgress,
  goalFigures,
  goalForecastRange,
  goalNodeOfDoc,
  type GoalFigures,
  evolveGoalProgressInPlace,
  evolveTaskCard,
  progressSeries,
  type GoalProgressDoc,
  type TaskCard,
} from '@planledger/domain';
import { comparePositions, countEvents, type EventStore, type JsonObject } from '@planledger/event-store';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectionId, type Projection, type ReadModelStore } from '@planledger/projections';
import { alertsProjection, deliveriesProjection } from './alerts/alert-projections';

const GOAL_EVENT_TYPES = [
  'GoalSet',
  'GoalTargetAdjusted',
  'GoalDeadlineMoved',
  'GoalOwnerChanged',
  'GoalRephased',
  'GoalRollupChanged',
  'GoalWithdrawn',
  'ActualRecorded',
  'ActualCorrected',
] as const;

/** Per goal: its current definition and actuals, kept by the projection runner. */
export const goalProgressProjection: Projection<GoalProgressDoc & JsonObject> = {
  name: 'goal-progress',
  version: 1,
  eventTypes: GOAL_EVENT_TYPES,
  keysOf: (event) => [String(event.data['goalId'])],
  evolve: (doc, event) =>
    evolveGoalProgressInPlace(doc, parseEvent(event.type, event.data) as GoalEvent) as (GoalProgressDoc & JsonObject) | undefined,
};

const TASK_EVENT_TYPES = [
  'TaskPlanned',
  'TaskAssigned',
  'TaskStarted',
  'TaskProgressReported',
  'TaskBlocked',
  'TaskUnblocked',
  'TaskDueDateMoved',
  'TaskCompleted',
  'TaskCancelled',
] as const;

/** Per task: the card the task and team boards show. */
export const taskBoardProjection: Projection<TaskCard & JsonObject> = {
  name: 'task-board',
  version: 1,
  eventTypes: TASK_EVENT_TYPES,
  keysOf: (event) => [String(event.data['taskId'])],
  evolve: (doc, event) =>
    evolveTaskCard(doc, parseEvent(event.type, event.data) as TaskEvent, event.recordedAt) as (TaskCard & JsonObject) | undefined,
};

/** Every projection the worker runs. */
export const PROJECTIONS: readonly Projection<never>[] = [
  goalProgressProjection,
  taskBoardProjection,
  alertsProjection,
  deliveriesProjection,
] as unknown as Projection<never>[];

/**
 * Read-your-writes: waits until each projection has applied `position` (a command's answer), at
 * most `timeoutMs`. Answers whether they got there; views are served either way, saying which.
 */
export async function projectionsReached(
  models: ReadModelStore,
  store: EventStore,
  projections: readonly Pick<Projection, 'name' | 'version' | 'eventTypes'>[],
  position: string | undefined,
  timeoutMs = 2000,
): Promise<boolean> {
  if (position === undefined) return true;
  const deadline = Date.now() + timeoutMs;
  for (const projection of projections) {
    for (;;) {
      const { position: at } = await models.checkpoint(projectionId(projection));
      if (at !== undefined && comparePositions(at, position) >= 0) break;
      // The checkpoint moves only past events the projection reads: caught up too when none of
      // those lies between it and the position asked for — once the log shows that position. Until
      // then the write may still be held back (an older transaction elsewhere is open) and a read
      // finds nothing pending only because it cannot see the write yet.
      const head = await store.headPosition();
      if (head !== undefined && comparePositions(head, position) >= 0) {
        const pending = await store.readAll({ after: at, types: [...projection.eventTypes], limit: 1 });
        if (pending.events.length === 0 || comparePositions(pending.events[0].position, position) > 0) break;
      }
      if (Date.now() >= deadline) return false;
      await sleep(25);
    }
  }
  return true;
}

/** Today's date where the project works. */
export function todayIn(timeZone: string, now = new Date()): string {
  return dayIn(now, timeZone);
}

/** Progress views over the goal-progress read model, with pace judged by the domain's policy. */
export class Progress {
  private readonly id = projectionId(goalProgressProjection);

  constructor(
    private readonly models: ReadModelStore,
    private readonly store: EventStore,
  ) {}

  /** Read-your-writes on the progress view: see `projectionsReached`. */
  reached(position: string | undefined, timeoutMs = 2000): Promise<boolean> {
    return projectionsReached(this.models, this.store, [goalProgressProjection], position, timeoutMs);
  }

  /**
   * One goal on `date`: its figures (a parent's from its roll-up) and the daily series. A goal the
   * read model has not applied yet is folded from its events instead (the same document: the
   * projection is proved equal).
   */
  async goal(goalId: string, dateFor: (projectId: string) => Promise<string>, events: () => Promise<readonly PlanLedgerEvent[]>) {
    const stored = (await this.models.get(this.id, goalId)) as GoalProgressDoc | undefined;
    const doc = stored ?? (await events()).reduce<GoalProgressDoc | undefined>((d, e) => evolveGoalProgress(d, e as GoalEvent), undefined);
    if (!doc) return undefined;
    const date = await dateFor(doc.projectId);
    const docs = await this.docs(doc.projectId);
    docs.set(doc.goalId, doc);
    const nodes = [...docs.values()].map(goalNodeOfDoc);
    const own = goalFigures(nodes, date).get(goalId) as GoalFigures;
    const series = progressSeries(doc.definition, Object.values(doc.actuals), date);
    return {
      ...this.view(doc, own),
      // Where it may land at the deadline: the run rate so far against the last weeks' (drift check's window).
      forecastRange: goalForecastRange(nodes, goalId, date),
      // A rolled-up goal has no actuals of its own: each day's actual is its roll-up on that day,
      // from the same figure function, so the series ends where actualToDate stands.
      series: own.rolledUp
        ? series.map((point) => ({ ...point, actual: goalFigures(nodes, point.date).get(goalId)?.actualToDate ?? null }))
        : series,
    };
  }

  /** Every goal of a project on `date`, parents with their figures rolled up from their children. */
  async project(projectId: string, date: string) {
    const docs = [...(await this.docs(projectId)).values()];
    const figures = goalFigures(docs.map(goalNodeOfDoc), date);
    const views = docs.map((doc) => this.view(doc, figures.get(doc.goalId) as GoalFigures));
    const goals = views.map((view) => {
      const children = views.filter((c) => c.parentGoalId === view.goalId && c.goalStatus === 'active');
      if (children.length === 0) return view;
      const actual = children.reduce((sum, c) => sum + (c.actualToDate ?? 0), 0);
      const expected = children.reduce((sum, c) => sum + c.expectedToDate, 0);
      return {
        ...view,
        children: {
          count: children.length,
          actualToDate: actual,
          expectedToDate: expected,
          offTrack: children.filter((c) => c.status === 'off_track').map((c) => c.goalId),
        },
      };
    });
    const { position } = await this.models.checkpoint(this.id);
    return { projectId, date, position: position ?? null, goals };
  }

  private async docs(projectId: string): Promise<Map<string, GoalProgressDoc>> {
    const found = (await this.models.find(this.id, 'projectId', projectId)) as Map<string, unknown>;
    return new Map([...found.values()].map((d) => [(d as GoalProgressDoc).goalId, d as GoalProgressDoc]));
  }

  private view(doc: GoalProgressDoc, figures: GoalFigures) {
    return {
      ...figures,
      goalId: doc.goalId,
      projectId: doc.projectId,
      title: doc.definition.title,
      goalStatus: doc.status,
      kpi: doc.definition.kpi,
      target: doc.definition.target,
      deadline: doc.definition.deadline,
      owner: doc.definition.owner,
      parentGoalId: doc.definition.parentGoalId ?? null,
    };
  }
}

/** Pending events are counted up to this many; beyond it a read model is simply far behind. */
export const LAG_COUNT_LIMIT = 1000;

/** Where each projection stands against the log, for /health. */
export async function projectionLag(store: EventStore, models: ReadModelStore) {
  return Promise.all(
    PROJECTIONS.map(async (projection) => {
      const name = projectionId(projection);
      const [{ position, applied }, letters] = await Promise.all([models.checkpoint(name), models.deadLetters(name)]);
      const pending = await countEvents(store, { after: position, types: [...projection.eventTypes], limit: LAG_COUNT_LIMIT });
      return { name, position: position ?? null, applied, pending, deadLetters: letters.length };
    }),
  );
}
