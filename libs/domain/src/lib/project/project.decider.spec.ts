import type { ProjectEvent } from '@planledger/contracts';
import { charter, meta, projectClosed, projectOpened } from '../testing/fixtures';
import { deciderSpec } from '../testing/given-when-then';
import { decideProject, evolveProject, initialProjectState, type ProjectCommand } from './project.decider';

const spec = deciderSpec<typeof initialProjectState, ProjectEvent, ProjectCommand>({
  initialState: initialProjectState,
  evolve: evolveProject,
  decide: (command, state) => decideProject(command, state),
});

const open: ProjectCommand = { type: 'OpenProject', data: { projectId: 'p1', ...charter }, metadata: meta };
const amend = (changes: Partial<typeof charter>): ProjectCommand => ({
  type: 'AmendProjectCharter',
  data: { projectId: 'p1', changes, reason: 'scope widened to the north' },
  metadata: meta,
});
const close: ProjectCommand = { type: 'CloseProject', data: { projectId: 'p1', reason: 'quarter ended' }, metadata: meta };

describe('project', () => {
  describe('when it does not exist yet', () => {
    it('opens with its charter', () => spec().when(open).then([projectOpened]));
    it('refuses a period that ends before it starts', () =>
      spec()
        .when({ ...open, data: { ...open.data, periodStart: '2027-01-01' } } as ProjectCommand)
        .thenRefuses('PERIOD_INVALID'));
    it('refuses an amendment', () =>
      spec()
        .when(amend({ name: 'x' }))
        .thenRefuses('PROJECT_NOT_FOUND'));
    it('refuses to close', () => spec().when(close).thenRefuses('PROJECT_NOT_FOUND'));
  });

  describe('when it is open', () => {
    it('refuses to open twice', () => spec([projectOpened]).when(open).thenRefuses('PROJECT_ALREADY_OPEN'));
    it('records a charter amendment as before → after with its reason, only for what changed', () =>
      spec([projectOpened])
        .when(amend({ name: 'Q4 East and North push', currency: 'CNY' }))
        .then([
          {
            type: 'ProjectCharterAmended',
            data: {
              projectId: 'p1',
              before: { name: 'Q4 East region push' },
              after: { name: 'Q4 East and North push' },
              reason: 'scope widened to the north',
            },
          },
        ]));
    it('refuses an amendment that changes nothing', () =>
      spec([projectOpened])
        .when(amend({ currency: 'CNY' }))
        .thenRefuses('NOTHING_TO_CHANGE'));
    it('refuses an amendment that would end the period before it starts', () =>
      spec([projectOpened])
        .when(amend({ periodEnd: '2026-09-01' }))
        .thenRefuses('PERIOD_INVALID'));
    it('closes with a reason', () => spec([projectOpened]).when(close).then([projectClosed]));
  });

  describe('when it is closed', () => {
    it.each([
      ['an amendment', amend({ name: 'late rename' })],
      ['closing again', close],
    ])('refuses %s', (_label, command) => spec([projectOpened, projectClosed]).when(command).thenRefuses('PROJECT_CLOSED'));
    it('refuses to open again', () => spec([projectOpened, projectClosed]).when(open).thenRefuses('PROJECT_ALREADY_OPEN'));
  });

  it('folds amendments into the charter', () => {
    const state = [
      projectOpened,
      {
        type: 'ProjectCharterAmended',
        data: { projectId: 'p1', before: { name: 'a' }, after: { name: 'b' }, reason: 'renamed it' },
      } as ProjectEvent,
    ].reduce(evolveProject, initialProjectState);
    expect(state.charter?.name).toBe('b');
    expect(state.charter?.currency).toBe('CNY');
  });
});
