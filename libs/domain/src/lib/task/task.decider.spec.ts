import type { GoalEvent, TaskEvent } from '@planledger/contracts';
import { evolveGoal, initialGoalState } from '../goal/goal.decider';
import { evolveProject, initialProjectState } from '../project/project.decider';
import { meta, projectClosed, projectOpened, revenueGoal } from '../testing/fixtures';
import { deciderSpec } from '../testing/given-when-then';
import { decideTask, evolveTask, initialTaskState, type TaskCommand, type TaskContext, type TaskState } from './task.decider';

const smart = {
  specific: { ok: true },
  measurable: { ok: true },
  achievable: { ok: true },
  relevant: { ok: true },
  timeBound: { ok: true },
};
const activeGoal = [{ type: 'GoalSet', data: { goalId: 'g1', projectId: 'p1', ...revenueGoal, smart } } as GoalEvent].reduce(
  evolveGoal,
  initialGoalState,
);
const context = (over: Partial<TaskContext> = {}): TaskContext => ({
  project: [projectOpened].reduce(evolveProject, initialProjectState),
  currentMemberIds: new Set(['wang-fang', 'chen-jie']),
  goal: activeGoal,
  ...over,
});
const closedProject = [projectOpened, projectClosed].reduce(evolveProject, initialProjectState);
const spec = deciderSpec<TaskState, TaskEvent, TaskCommand, TaskContext>({
  initialState: initialTaskState,
  evolve: evolveTask,
  decide: decideTask,
});

const plan = { title: 'Call the top 20 accounts', description: '', goalId: 'g1', dueDate: '2026-11-30' };
const cmd = <T extends TaskCommand['type']>(type: T, data: object) =>
  ({ type, data: { taskId: 't1', ...data }, metadata: meta }) as TaskCommand;
const planned: TaskEvent = { type: 'TaskPlanned', data: { taskId: 't1', projectId: 'p1', ...plan } };
const assigned: TaskEvent = { type: 'TaskAssigned', data: { taskId: 't1', before: null, after: 'wang-fang' } };
const started: TaskEvent = { type: 'TaskStarted', data: { taskId: 't1' } };
const blocked: TaskEvent = { type: 'TaskBlocked', data: { taskId: 't1', reason: 'waiting for price approval' } };
const completed: TaskEvent = { type: 'TaskCompleted', data: { taskId: 't1', note: '' } };
const cancelled: TaskEvent = { type: 'TaskCancelled', data: { taskId: 't1', reason: 'accounts moved to key account team' } };

const changes: [string, TaskCommand][] = [
  ['an assignment', cmd('AssignTask', { assigneeId: 'chen-jie', reason: 'workload' })],
  ['a start', cmd('StartTask', {})],
  ['a progress report', cmd('ReportTaskProgress', { percent: 40, note: '' })],
  ['a block', cmd('BlockTask', { reason: 'no budget' })],
  ['an unblock', cmd('UnblockTask', { note: '' })],
  ['a due date move', cmd('MoveTaskDueDate', { dueDate: '2026-12-10', reason: 'customer holidays' })],
  ['a completion', cmd('CompleteTask', { note: '' })],
  ['a cancellation', cmd('CancelTask', { reason: 'not needed' })],
];

describe('task', () => {
  describe('when it is not planned yet', () => {
    it('is planned with its goal link and due date', () =>
      spec()
        .when(cmd('PlanTask', { projectId: 'p1', ...plan }), context())
        .then([planned]));
    it.each(changes)('refuses %s', (_label, command) => spec().when(command, context()).thenRefuses('TASK_NOT_FOUND'));
    it.each([
      ['a due date outside the project', { dueDate: '2027-01-15' }, {}, 'DUE_DATE_OUTSIDE_PROJECT_PERIOD'],
      ['an assignee who is not a member', { assigneeId: 'ghost' }, {}, 'ASSIGNEE_NOT_A_MEMBER'],
      ['a goal that does not exist', {}, { goal: undefined }, 'GOAL_NOT_FOUND'],
      [
        'a withdrawn goal',
        {},
        { goal: evolveGoal(activeGoal, { type: 'GoalWithdrawn', data: { goalId: 'g1', reason: 'merged away' } }) },
        'GOAL_WITHDRAWN',
      ],
      ['a parent task that does not exist', { parentTaskId: 't0' }, {}, 'PARENT_TASK_NOT_FOUND'],
      ['a closed project', {}, { project: closedProject }, 'PROJECT_CLOSED'],
    ] as const)('refuses %s', (_label, change, over, code) =>
      spec()
        .when(cmd('PlanTask', { projectId: 'p1', ...plan, ...change }), context(over as Partial<TaskContext>))
        .thenRefuses(code),
    );
    it('refuses a completed parent task', () => {
      const done = [planned, completed].reduce(evolveTask, initialTaskState);
      spec()
        .when(cmd('PlanTask', { projectId: 'p1', ...plan, parentTaskId: 't0' }), context({ parentTask: done }))
        .thenRefuses('PARENT_TASK_CLOSED');
    });
  });

  describe('when it is planned', () => {
    it('refuses to be planned twice', () =>
      spec([planned])
        .when(cmd('PlanTask', { projectId: 'p1', ...plan }), context())
        .thenRefuses('TASK_ALREADY_PLANNED'));
    it('is assigned to a member without a reason the first time', () =>
      spec([planned])
        .when(cmd('AssignTask', { assigneeId: 'wang-fang' }), context())
        .then([assigned]));
    it('needs a reason to change hands, and a current member to take it', () => {
      spec([planned, assigned])
        .when(cmd('AssignTask', { assigneeId: 'chen-jie' }), context())
        .thenRefuses('REASON_REQUIRED');
      spec([planned, assigned])
        .when(cmd('AssignTask', { assigneeId: 'ghost', reason: 'workload' }), context())
        .thenRefuses('ASSIGNEE_NOT_A_MEMBER');
      spec([planned, assigned])
        .when(cmd('AssignTask', { assigneeId: 'wang-fang', reason: 'again' }), context())
        .thenRefuses('NOTHING_TO_CHANGE');
      spec([planned, assigned])
        .when(cmd('AssignTask', { assigneeId: 'chen-jie', reason: 'workload' }), context())
        .then([{ type: 'TaskAssigned', data: { taskId: 't1', before: 'wang-fang', after: 'chen-jie', reason: 'workload' } }]);
    });
    it('starts only once assigned', () => {
      spec([planned]).when(cmd('StartTask', {}), context()).thenRefuses('TASK_UNASSIGNED');
      spec([planned, assigned]).when(cmd('StartTask', {}), context()).then([started]);
    });
    it('takes progress only once started', () =>
      spec([planned, assigned])
        .when(cmd('ReportTaskProgress', { percent: 10, note: '' }), context())
        .thenRefuses('TASK_NOT_IN_PROGRESS'));
    it('moves its due date inside the project with a reason', () => {
      spec([planned])
        .when(cmd('MoveTaskDueDate', { dueDate: '2026-12-10', reason: 'customer holidays' }), context())
        .then([
          { type: 'TaskDueDateMoved', data: { taskId: 't1', before: '2026-11-30', after: '2026-12-10', reason: 'customer holidays' } },
        ]);
      spec([planned])
        .when(cmd('MoveTaskDueDate', { dueDate: '2027-01-10', reason: 'slip' }), context())
        .thenRefuses('DUE_DATE_OUTSIDE_PROJECT_PERIOD');
      spec([planned])
        .when(cmd('MoveTaskDueDate', { dueDate: '2026-11-30', reason: 'same' }), context())
        .thenRefuses('NOTHING_TO_CHANGE');
    });
    it('can be blocked, completed or cancelled', () => {
      spec([planned])
        .when(cmd('BlockTask', { reason: 'waiting for price approval' }), context())
        .then([blocked]);
      spec([planned])
        .when(cmd('CompleteTask', { note: '' }), context())
        .then([completed]);
      spec([planned])
        .when(cmd('CancelTask', { reason: 'accounts moved to key account team' }), context())
        .then([cancelled]);
    });
    it('refuses an unblock', () =>
      spec([planned])
        .when(cmd('UnblockTask', { note: '' }), context())
        .thenRefuses('TASK_NOT_BLOCKED'));
  });

  describe('when it is in progress', () => {
    const given = [planned, assigned, started];
    it('takes progress reports', () =>
      spec(given)
        .when(cmd('ReportTaskProgress', { percent: 40, note: '8 of 20 called' }), context())
        .then([{ type: 'TaskProgressReported', data: { taskId: 't1', percent: 40, note: '8 of 20 called' } }]));
    it('refuses to start again', () => spec(given).when(cmd('StartTask', {}), context()).thenRefuses('TASK_NOT_PLANNED'));
    it('is blocked, and refuses to complete while blocked, then resumes in progress when unblocked', () => {
      spec(given)
        .when(cmd('BlockTask', { reason: 'waiting for price approval' }), context())
        .then([blocked]);
      spec([...given, blocked])
        .when(cmd('BlockTask', { reason: 'again' }), context())
        .thenRefuses('TASK_ALREADY_BLOCKED');
      spec([...given, blocked])
        .when(cmd('CompleteTask', { note: '' }), context())
        .thenRefuses('TASK_BLOCKED');
      spec([...given, blocked])
        .when(cmd('UnblockTask', { note: 'approved' }), context())
        .then([{ type: 'TaskUnblocked', data: { taskId: 't1', note: 'approved' } }]);
      const resumed = [...given, blocked, { type: 'TaskUnblocked', data: { taskId: 't1', note: '' } } as TaskEvent].reduce(
        evolveTask,
        initialTaskState,
      );
      expect(resumed.status).toBe('in_progress');
    });
    it('completes', () =>
      spec(given)
        .when(cmd('CompleteTask', { note: '' }), context())
        .then([completed]));
  });

  describe.each([
    ['completed', completed],
    ['cancelled', cancelled],
  ])('when it is %s', (_label, closing) => {
    it.each(changes)('refuses %s', (_l, command) => spec([planned, assigned, closing]).when(command, context()).thenRefuses('TASK_CLOSED'));
  });

  describe('when its project is closed', () => {
    it.each(changes)('refuses %s', (_label, command) =>
      spec([planned, assigned])
        .when(command, context({ project: closedProject }))
        .thenRefuses('PROJECT_CLOSED'),
    );
  });
});
