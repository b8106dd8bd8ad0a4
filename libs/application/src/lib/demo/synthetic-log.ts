import type { EventStore } from '@planledger/event-store';
import { Planning, type RequestMetadata } from '../planning';

export interface SyntheticLogShape {
  projects: number;
  goalsPerProject: number;
  /** Tasks per project; each is planned, assigned to another member and re-dated (3 events). */
  tasksPerProject: number;
  actualsPerGoal: number;
  /** Called now and then with the events written so far. */
  onProgress?: (written: number) => void;
}

/** Events `writeSyntheticLog` writes for a shape. */
export function syntheticLogSize(shape: SyntheticLogShape): number {
  const perProject = 1 + 4 + shape.goalsPerProject * (1 + shape.actualsPerGoal) + shape.tasksPerProject * 3;
  return shape.projects * perProject;
}

const ACTUALS_PER_COMMAND = 5000;

/**
 * A large, valid log for benchmarks and long-replay tests, written through the same commands as
 * the API: projects with a team of four, goals with daily actuals, tasks that change hands and
 * dates. Deterministic ids, so runs compare.
 */
export async function writeSyntheticLog(store: EventStore, shape: SyntheticLogShape, prefix = 'syn'): Promise<number> {
  const planning = new Planning(store);
  let written = 0;
  const meta = (actor = 'system:synthetic'): RequestMetadata => ({ actor, now: new Date().toISOString(), correlationId: `${prefix}-load` });
  const count = (n: number) => {
    written += n;
    shape.onProgress?.(written);
  };
  for (let p = 0; p < shape.projects; p++) {
    const projectId = `${prefix}-p${p}`;
    await planning.openProject(
      projectId,
      {
        name: `Synthetic project ${p}`,
        managerId: 'li-na',
        periodStart: '2026-01-01',
        periodEnd: '2026-12-31',
        currency: 'CNY',
        timeZone: 'Asia/Shanghai',
        description: 'Synthetic load',
        smartPolicy: { onFailure: 'warn', achievableMultiple: 3 },
      },
      meta(),
    );
    const members = ['a', 'b', 'c', 'd'].map((m) => `${projectId}-${m}`);
    for (const memberId of members) {
      await planning.changeTeam(
        projectId,
        {
          type: 'JoinMember',
          data: {
            memberId,
            name: memberId,
            role: 'Account executive',
            responsibilities: [],
            skills: [{ skill: 'negotiation', level: 3 }],
            weeklyCapacityHours: 40,
          },
        },
        meta(),
      );
    }
    count(5);
    for (let g = 0; g < shape.goalsPerProject; g++) {
      const goalId = `${projectId}-g${g}`;
      await planning.setGoal(
        projectId,
        goalId,
        {
          title: `Revenue ${g}`,
          kpi: { name: 'Revenue', unit: 'CNY', direction: 'higher_is_better', aggregation: 'cumulative' },
          target: 1_000_000,
          baseline: 900_000,
          startDate: '2026-01-01',
          deadline: '2026-12-31',
          phasing: { kind: 'linear' },
          owner: { kind: 'member', memberId: members[g % members.length] },
          tolerance: 0.1,
          relevance: 'Synthetic load',
          actualsSource: 'CRM',
        },
        meta(),
      );
      count(1);
      for (let from = 0; from < shape.actualsPerGoal; from += ACTUALS_PER_COMMAND) {
        const rows = Array.from({ length: Math.min(ACTUALS_PER_COMMAND, shape.actualsPerGoal - from) }, (_, i) => {
          const n = from + i;
          return {
            actualId: `a${n}`,
            value: 100 + (n % 37),
            businessDate: `2026-${String(1 + (n % 10)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`,
            source: 'CRM',
          };
        });
        await planning.changeGoal(goalId, { type: 'RecordActuals', data: { actuals: rows } }, meta('system:crm-feed'));
        count(rows.length);
      }
    }
    for (let t = 0; t < shape.tasksPerProject; t++) {
      const taskId = `${projectId}-t${t}`;
      await planning.planTask(
        projectId,
        taskId,
        { title: `Task ${t}`, description: '', dueDate: '2026-06-30', assigneeId: members[t % members.length], estimateHours: 4 },
        meta(),
      );
      await planning.changeTask(
        taskId,
        { type: 'AssignTask', data: { assigneeId: members[(t + 1) % members.length], reason: 'Rebalanced' } },
        meta(),
      );
      await planning.changeTask(
        taskId,
        { type: 'MoveTaskDueDate', data: { dueDate: '2026-09-30', reason: 'Customer asked for later' } },
        meta(),
      );
      count(3);
    }
  }
  return written;
}
