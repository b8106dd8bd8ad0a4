import { DomainRuleViolation } from '@planledger/domain';
import { InMemoryEventStore } from '@planledger/event-store';
import { sampleCharter } from '@planledger/contracts/testing';
import { DEMO_PROJECT_ID, loadDemo } from '../demo/demo-project';
import { Planning, type RequestMetadata } from '../planning';
import { ProjectLife } from './project-life';

const minutes = (meetingId: string, actionItems: { taskId: string; title: string; assigneeId: string; dueDate: string }[]) => ({
  meetingId,
  cadenceId: 'demo-weekly-pipeline',
  date: '2026-11-18',
  attendees: ['li-na', 'zhao-lei'],
  notes: 'Pipeline review',
  decisions: ['Zhao Lei calls the Suzhou accounts'],
  actionItems,
});

/** The minutes and the tasks of their action items are one write: all of it stored, or none. */
describe('recording meeting minutes with action items', () => {
  const now = new Date('2026-11-20T10:00:00.000Z');
  const meta = (extra: Partial<RequestMetadata> = {}): RequestMetadata => ({
    actor: 'user:li.na',
    now: now.toISOString(),
    correlationId: 'req-meeting',
    ...extra,
  });
  let store: InMemoryEventStore;
  let life: ProjectLife;
  beforeEach(async () => {
    store = new InMemoryEventStore();
    await loadDemo(store, now);
    life = new ProjectLife(store, new Planning(store));
  });

  const meetingIds = async () => (await life.meetings(DEMO_PROJECT_ID)).meetings.map((m) => m['meetingId']);

  it('stores the minutes and every action item task in one transaction', async () => {
    const head = (await store.headPosition()) ?? '';
    await life.recordMeetingMinutes(
      DEMO_PROJECT_ID,
      minutes('m-atomic', [
        { taskId: 't-call-plan', title: 'Call plan for Suzhou', assigneeId: 'zhao-lei', dueDate: '2026-11-25' },
        { taskId: 't-visit', title: 'Visit Nanjing', assigneeId: 'li-na', dueDate: '2026-11-27' },
      ]),
      meta(),
    );
    const written = (await store.readAll({ after: head })).events;
    expect(written.map((e) => [e.streamId, e.type])).toEqual([
      [`meetings-${DEMO_PROJECT_ID}`, 'MeetingMinutesRecorded'],
      ['task-t-call-plan', 'TaskPlanned'],
      ['task-t-visit', 'TaskPlanned'],
    ]);
    // A position starts with its transaction: one prefix, one transaction.
    expect(new Set(written.map((e) => e.position.split('-')[0])).size).toBe(1);
  });

  it('stores nothing, not even the minutes, when one action item is refused', async () => {
    const head = await store.headPosition();
    const refused = await life
      .recordMeetingMinutes(
        DEMO_PROJECT_ID,
        minutes('m-refused', [
          { taskId: 't-ok', title: 'Call plan', assigneeId: 'zhao-lei', dueDate: '2026-11-25' },
          { taskId: 't-nobody', title: 'Visit', assigneeId: 'not-a-member', dueDate: '2026-11-27' },
        ]),
        meta(),
      )
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainRuleViolation);
    expect(await store.headPosition()).toEqual(head);
    expect(await meetingIds()).not.toContain('m-refused');
    expect(await store.streamRevision('task-t-ok')).toBeUndefined();
  });

  it('refuses an action item whose task id is another project’s task, and stores nothing', async () => {
    // Another project plans a task under the id the meeting will use.
    const planning = new Planning(store);
    const elsewhere = 't-claimed-elsewhere';
    await planning.openProject('other-project', sampleCharter, meta());
    await planning.planTask('other-project', elsewhere, { title: 'Theirs', description: '', dueDate: '2026-11-25' }, meta());
    const revision = await store.streamRevision(`task-${elsewhere}`);
    const head = await store.headPosition();
    const refused = await life
      .recordMeetingMinutes(
        DEMO_PROJECT_ID,
        minutes('m-claimed', [{ taskId: elsewhere, title: 'Call plan', assigneeId: 'zhao-lei', dueDate: '2026-11-25' }]),
        meta(),
      )
      .catch((e: unknown) => e);
    // The same answer as for any id in use: nothing about the other project.
    expect(refused).toMatchObject({ code: 'TASK_ALREADY_PLANNED', message: `task ${elsewhere} is already planned` });
    expect(await store.headPosition()).toEqual(head);
    expect(await meetingIds()).not.toContain('m-claimed');
    expect(await store.streamRevision(`task-${elsewhere}`)).toEqual(revision);
  });

  it('answers a keyed retry with the first result and writes nothing more', async () => {
    const keyed = meta({ idempotency: { key: 'meeting-key-1', requestHash: 'h1' } });
    const body = minutes('m-keyed', [{ taskId: 't-keyed', title: 'Call plan', assigneeId: 'zhao-lei', dueDate: '2026-11-25' }]);
    const first = await life.recordMeetingMinutes(DEMO_PROJECT_ID, body, keyed);
    const head = await store.headPosition();
    const again = await life.recordMeetingMinutes(DEMO_PROJECT_ID, body, keyed);
    expect(again).toMatchObject({ streamId: first.streamId, revision: first.revision, position: first.position });
    expect(await store.headPosition()).toEqual(head);
    expect((await meetingIds()).filter((id) => id === 'm-keyed')).toHaveLength(1);
  });

  it('leaves a task planned already under an action item id as it is, and stores the minutes', async () => {
    const planning = new Planning(store);
    await planning.planTask(
      DEMO_PROJECT_ID,
      't-existing',
      { title: 'Planned before', description: '', assigneeId: 'li-na', dueDate: '2026-11-26' },
      meta(),
    );
    await life.recordMeetingMinutes(
      DEMO_PROJECT_ID,
      minutes('m-existing', [{ taskId: 't-existing', title: 'Planned again', assigneeId: 'zhao-lei', dueDate: '2026-11-25' }]),
      meta(),
    );
    expect(await meetingIds()).toContain('m-existing');
    expect((await store.readStream('task-t-existing')).map((e) => e.data['title'])).toEqual(['Planned before']);
  });
});
