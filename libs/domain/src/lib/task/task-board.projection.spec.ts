import type { TaskEvent } from '@planledger/contracts';
import fc from 'fast-check';
import { evolveTask, initialTaskState } from './task.decider';
import { evolveTaskCard, memberLoad, taskBoard, type TaskCard } from './task-board.projection';

const planned: TaskEvent = {
  type: 'TaskPlanned',
  data: {
    taskId: 't1',
    projectId: 'p1',
    title: 'Call back',
    description: 'the big one',
    dueDate: '2026-11-20',
    goalId: 'g1',
    estimateHours: 10,
  },
};
const reason = 'because';
const day = fc.integer({ min: 1, max: 28 }).map((d) => `2026-11-${String(d).padStart(2, '0')}`);

/** Any sequence of task events (the projection folds whatever the log holds, valid or not). */
const change: fc.Arbitrary<TaskEvent> = fc.oneof(
  fc
    .constantFrom('rep-1', 'rep-2')
    .map((after): TaskEvent => ({ type: 'TaskAssigned', data: { taskId: 't1', before: null, after, reason } })),
  fc.constant<TaskEvent>({ type: 'TaskStarted', data: { taskId: 't1' } }),
  fc
    .integer({ min: 0, max: 100 })
    .map((percent): TaskEvent => ({ type: 'TaskProgressReported', data: { taskId: 't1', percent, note: '' } })),
  fc.constant<TaskEvent>({ type: 'TaskBlocked', data: { taskId: 't1', reason } }),
  fc.constant<TaskEvent>({ type: 'TaskUnblocked', data: { taskId: 't1', note: '' } }),
  day.map((after): TaskEvent => ({ type: 'TaskDueDateMoved', data: { taskId: 't1', before: '2026-11-20', after, reason } })),
  fc.constant<TaskEvent>({ type: 'TaskCompleted', data: { taskId: 't1', note: '' } }),
  fc.constant<TaskEvent>({ type: 'TaskCancelled', data: { taskId: 't1', reason } }),
);

const card = (over: Partial<TaskCard>): TaskCard => ({
  taskId: 't',
  projectId: 'p1',
  title: 'A task',
  status: 'planned',
  assigneeId: 'rep-1',
  dueDate: '2026-11-20',
  goalId: null,
  parentTaskId: null,
  percent: 0,
  estimateHours: 8,
  blockedReason: null,
  blockedSince: null,
  statusBeforeBlock: null,
  updatedAt: '2026-11-01T00:00:00.000Z',
  ...over,
});

describe('task board projection', () => {
  it('equals the task aggregate folded from scratch, for any sequence of events', () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 30 }), (changes) => {
        const events = [planned, ...changes];
        const doc = events.reduce<TaskCard | undefined>(
          (c, e, i) => evolveTaskCard(c, e, `2026-11-01T00:00:${String(i).padStart(2, '0')}.000Z`),
          undefined,
        );
        const state = events.reduce(evolveTask, initialTaskState);
        expect(doc).toMatchObject({
          status: state.status,
          percent: state.percent,
          assigneeId: state.plan?.assigneeId ?? null,
          dueDate: state.plan?.dueDate,
          blockedReason: state.blockedReason ?? null,
          statusBeforeBlock: state.statusBeforeBlock ?? null,
        });
        // Blocked since the last TaskBlocked while it stays blocked.
        const lastBlock = events.map((e) => e.type).lastIndexOf('TaskBlocked');
        expect(doc?.blockedSince).toBe(state.status === 'blocked' ? `2026-11-01T00:00:${String(lastBlock).padStart(2, '0')}.000Z` : null);
        expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
      }),
      { numRuns: 300 },
    );
  });

  it('ignores events of a task it never saw planned', () => {
    expect(evolveTaskCard(undefined, { type: 'TaskStarted', data: { taskId: 't1' } }, '2026-11-01T00:00:00.000Z')).toBeUndefined();
  });

  it('filters by status, assignee and overdue, in due-date order, and counts the whole project', () => {
    const cards = [
      card({ taskId: 'a', dueDate: '2026-11-10', status: 'in_progress' }),
      card({ taskId: 'b', dueDate: '2026-11-05', status: 'blocked', assigneeId: 'rep-2' }),
      card({ taskId: 'c', dueDate: '2026-11-01', status: 'completed' }),
      card({ taskId: 'd', dueDate: '2026-11-30', assigneeId: null }),
    ];
    const today = '2026-11-12';
    const all = taskBoard(cards, today);
    expect(all.tasks.map((t) => [t.taskId, t.overdue, t.daysOverdue])).toEqual([
      ['c', false, 0],
      ['b', true, 7],
      ['a', true, 2],
      ['d', false, 0],
    ]);
    expect(all.counts).toEqual({
      total: 4,
      byStatus: { planned: 1, in_progress: 1, blocked: 1, completed: 1, cancelled: 0 },
      overdue: 2,
      openByAssignee: { 'rep-1': 1, 'rep-2': 1, unassigned: 1 },
    });
    expect(taskBoard(cards, today, { overdue: true, assignee: 'rep-1' }).tasks.map((t) => t.taskId)).toEqual(['a']);
    expect(taskBoard(cards, today, { overdue: false }).tasks.map((t) => t.taskId)).toEqual(['c', 'd']);
    expect(taskBoard(cards, today, { status: 'blocked' }).tasks.map((t) => t.taskId)).toEqual(['b']);
    // Due today is not overdue yet.
    expect(taskBoard([card({ dueDate: today })], today).counts.overdue).toBe(0);
  });

  it('weighs the open hours due within seven days against weekly capacity', () => {
    const today = '2026-11-12';
    const cards = [
      card({ taskId: 'overdue', dueDate: '2026-11-02', estimateHours: 10, percent: 50 }), // 5 h left, overdue
      card({ taskId: 'soon', dueDate: '2026-11-18', estimateHours: 20, status: 'blocked' }), // 20 h, last day in the horizon
      card({ taskId: 'later', dueDate: '2026-11-19', estimateHours: 30 }), // outside the horizon
      card({ taskId: 'done', dueDate: '2026-11-13', estimateHours: 40, status: 'completed' }),
      card({ taskId: 'other', dueDate: '2026-11-13', estimateHours: 40, assigneeId: 'rep-2' }),
      card({ taskId: 'no-estimate', dueDate: '2026-11-13', estimateHours: null }),
    ];
    expect(memberLoad({ memberId: 'rep-1', weeklyCapacityHours: 20 }, cards, today)).toEqual({
      openTasks: 4,
      overdueTasks: 1,
      blockedTasks: 1,
      remainingHours: 55,
      dueThisWeekHours: 25,
      weeklyCapacityHours: 20,
      load: 1.25,
    });
    expect(memberLoad({ memberId: 'rep-3', weeklyCapacityHours: 0 }, cards, today)).toMatchObject({ openTasks: 0, load: null });
  });
});
