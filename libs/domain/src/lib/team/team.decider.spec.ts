import type { TeamEvent } from '@planledger/contracts';
import { evolveProject, initialProjectState } from '../project/project.decider';
import { meta, projectClosed, projectOpened } from '../testing/fixtures';
import { deciderSpec } from '../testing/given-when-then';
import {
  decideTeam,
  evolveTeam,
  initialTeamState,
  skillCoverage,
  type TeamCommand,
  type TeamContext,
  type TeamState,
} from './team.decider';

const open: TeamContext = { project: [projectOpened].reduce(evolveProject, initialProjectState) };
const closed: TeamContext = { project: [projectOpened, projectClosed].reduce(evolveProject, initialProjectState) };
const spec = deciderSpec<TeamState, TeamEvent, TeamCommand, TeamContext>({
  initialState: initialTeamState,
  evolve: evolveTeam,
  decide: decideTeam,
});

const wang = {
  memberId: 'wang-fang',
  name: 'Wang Fang',
  role: 'Account executive',
  responsibilities: ['East key accounts'],
  skills: [{ skill: 'negotiation', level: 4 }],
  weeklyCapacityHours: 40,
};
const chen = {
  memberId: 'chen-jie',
  name: 'Chen Jie',
  role: 'Sales development',
  responsibilities: [],
  skills: [{ skill: 'negotiation', level: 2 }],
  weeklyCapacityHours: 30,
  reportsTo: 'wang-fang',
};
const wangJoined: TeamEvent = { type: 'MemberJoined', data: { projectId: 'p1', ...wang } };
const chenJoined: TeamEvent = { type: 'MemberJoined', data: { projectId: 'p1', ...chen } };
const join = (member: typeof wang | typeof chen): TeamCommand => ({
  type: 'JoinMember',
  data: { projectId: 'p1', ...member },
  metadata: meta,
});
const changeRole: TeamCommand = {
  type: 'ChangeMemberRole',
  data: { projectId: 'p1', memberId: 'wang-fang', role: 'Team lead', responsibilities: ['East region'], reason: 'promoted' },
  metadata: meta,
};
const leave: TeamCommand = {
  type: 'MemberLeaves',
  data: { projectId: 'p1', memberId: 'chen-jie', handOverTo: 'wang-fang', reason: 'moved to north team' },
  metadata: meta,
};
const requireSkill = (headcount: number, minLevel = 3): TeamCommand => ({
  type: 'SetSkillRequirement',
  data: { projectId: 'p1', skill: 'negotiation', minLevel, headcount },
  metadata: meta,
});

describe('team', () => {
  describe('when nobody has joined yet', () => {
    it('takes a member with role, responsibilities, skills and capacity', () => spec().when(join(wang), open).then([wangJoined]));
    it('refuses a member reporting to someone not on the team', () => spec().when(join(chen), open).thenRefuses('REPORTS_TO_NOT_A_MEMBER'));
    it('refuses a skill listed twice', () =>
      spec()
        .when(
          join({
            ...wang,
            skills: [
              { skill: 'crm', level: 2 },
              { skill: 'crm', level: 3 },
            ],
          }),
          open,
        )
        .thenRefuses('SKILL_LISTED_TWICE'));
    it('refuses a role change or departure of an unknown member', () => {
      spec().when(changeRole, open).thenRefuses('MEMBER_NOT_FOUND');
      spec().when(leave, open).thenRefuses('MEMBER_NOT_FOUND');
    });
    it('sets a skill requirement, and refuses dropping one that does not exist', () => {
      spec()
        .when(requireSkill(2), open)
        .then([{ type: 'SkillRequirementSet', data: { projectId: 'p1', skill: 'negotiation', minLevel: 3, headcount: 2 } }]);
      spec().when(requireSkill(0), open).thenRefuses('NOTHING_TO_CHANGE');
    });
  });

  describe('when members are on the team', () => {
    it('refuses the same member twice and accepts a report to a current member', () => {
      spec([wangJoined]).when(join(wang), open).thenRefuses('MEMBER_ALREADY_IN_TEAM');
      spec([wangJoined]).when(join(chen), open).then([chenJoined]);
    });
    it('records a role change as before → after with a reason', () =>
      spec([wangJoined])
        .when(changeRole, open)
        .then([
          {
            type: 'MemberRoleChanged',
            data: {
              projectId: 'p1',
              memberId: 'wang-fang',
              before: { role: 'Account executive', responsibilities: ['East key accounts'] },
              after: { role: 'Team lead', responsibilities: ['East region'] },
              reason: 'promoted',
            },
          },
        ]));
    it('refuses a role change that changes nothing', () =>
      spec([wangJoined])
        .when(
          { ...changeRole, data: { ...changeRole.data, role: wang.role, responsibilities: wang.responsibilities } } as TeamCommand,
          open,
        )
        .thenRefuses('NOTHING_TO_CHANGE'));
    it('lets a member leave with a hand-over to a current member', () =>
      spec([wangJoined, chenJoined])
        .when(leave, open)
        .then([
          { type: 'MemberLeft', data: { projectId: 'p1', memberId: 'chen-jie', handOverTo: 'wang-fang', reason: 'moved to north team' } },
        ]));
    it('refuses a hand-over to oneself or to a non-member', () => {
      spec([wangJoined, chenJoined])
        .when({ ...leave, data: { ...leave.data, handOverTo: 'chen-jie' } } as TeamCommand, open)
        .thenRefuses('HAND_OVER_TO_SELF');
      spec([wangJoined, chenJoined])
        .when({ ...leave, data: { ...leave.data, handOverTo: 'ghost' } } as TeamCommand, open)
        .thenRefuses('HAND_OVER_NOT_A_MEMBER');
    });
    it('lets a member who left join again', () =>
      spec([wangJoined, chenJoined, { type: 'MemberLeft', data: { projectId: 'p1', memberId: 'chen-jie', reason: 'moved away' } }])
        .when(join(chen), open)
        .then([chenJoined]));
  });

  describe('when the project is closed', () => {
    it.each([
      ['a join', join(wang)],
      ['a role change', changeRole],
      ['a departure', leave],
      ['a skill requirement', requireSkill(1)],
    ])('refuses %s', (_label, command) => spec([wangJoined, chenJoined]).when(command, closed).thenRefuses('PROJECT_CLOSED'));
  });

  it('shows which skill requirements the current members cover, and by whom', () => {
    const state = [
      wangJoined,
      chenJoined,
      { type: 'SkillRequirementSet', data: { projectId: 'p1', skill: 'negotiation', minLevel: 3, headcount: 2 } } as TeamEvent,
    ].reduce(evolveTeam, initialTeamState);
    expect(skillCoverage(state)).toEqual([{ skill: 'negotiation', minLevel: 3, headcount: 2, coveredBy: ['wang-fang'], covered: false }]);
    const dropped = evolveTeam(state, {
      type: 'SkillRequirementSet',
      data: { projectId: 'p1', skill: 'negotiation', minLevel: 3, headcount: 0 },
    });
    expect(skillCoverage(dropped)).toEqual([]);
  });
});
