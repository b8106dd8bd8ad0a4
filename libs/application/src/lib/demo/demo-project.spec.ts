import { InMemoryEventStore } from '@planledger/event-store';
import { Planning } from '../planning';
import { DEMO_PROJECT_ID, demoQuarter, loadDemo, StoreNotEmpty } from './demo-project';

describe('the demo project', () => {
  const now = new Date('2026-11-20T10:00:00.000Z');

  it('tells a quarter campaign: six members, seven goals, twenty tasks, daily actuals, one member behind', async () => {
    const store = new InMemoryEventStore();
    const steps: string[] = [];
    expect(await loadDemo(store, now, (s) => void steps.push(s))).toBe(DEMO_PROJECT_ID);
    expect(steps.at(-1)).toBe('done');
    const planning = new Planning(store);
    const project = await planning.project(DEMO_PROJECT_ID);
    expect(project.state.charter).toMatchObject({ periodStart: '2026-10-01', periodEnd: '2026-12-31' });
    expect((await planning.team(DEMO_PROJECT_ID)).members).toHaveLength(6);
    const goals = await planning.projectGoals(DEMO_PROJECT_ID);
    expect(goals).toHaveLength(7);
    expect(goals.find((g) => g.goalId === 'demo-revenue')?.decomposition).toMatchObject({ parentTarget: 3_000_000, addsUp: false, activeChildren: 4 });
    const tasks = await planning.projectTasks(DEMO_PROJECT_ID);
    expect(tasks).toHaveLength(20);
    expect(new Set(tasks.map((t) => t.status))).toEqual(new Set(['planned', 'in_progress', 'blocked', 'completed']));

    // Zhao Lei's attainment against the time elapsed is far below everyone else's.
    const attainment = async (memberId: string) => {
      const { state } = await planning.goal(`demo-revenue-${memberId}`);
      const actual = [...state.actuals.values()].reduce((sum, a) => sum + a.value, 0);
      return actual / (state.definition?.target ?? 1);
    };
    const zhao = await attainment('zhao-lei');
    for (const other of ['wang-fang', 'zhang-wei', 'chen-jie']) expect(zhao).toBeLessThan((await attainment(other)) * 0.6);
    const [lastActual] = (await store.readStream('goal-demo-revenue-zhao-lei', { direction: 'backwards', limit: 1 })).map((e) => e.data['businessDate']);
    expect(lastActual).toBe('2026-11-20');
  });

  it('refuses a store that already holds events, and writes nothing', async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream('something', [{ type: 'Other', data: {}, metadata: { actor: 'u' } }], { expected: 'no_stream' });
    await expect(loadDemo(store, now)).rejects.toBeInstanceOf(StoreNotEmpty);
    expect((await store.readAll()).events).toHaveLength(1);
  });

  it('runs in the calendar quarter around today, on its first day too', async () => {
    expect(demoQuarter(new Date('2027-02-14T00:00:00Z'))).toEqual({ start: new Date('2027-01-01T00:00:00Z'), end: new Date('2027-03-31T00:00:00Z') });
    await expect(loadDemo(new InMemoryEventStore(), new Date('2027-01-01T08:00:00Z'))).resolves.toBe(DEMO_PROJECT_ID);
  });
});
