import type { MemberProfile, TeamEvent } from '@planledger/contracts';
import { requireOpen, type ProjectState } from '../project/project.decider';
import { refuse, type CommandMetadata } from '../shared/domain-error';

export interface Member extends MemberProfile {
  memberId: string;
}

export interface SkillRequirement {
  minLevel: number;
  headcount: number;
}

export interface TeamState {
  projectId?: string;
  /** Current members; a member who left is gone from here (and may join again). */
  members: ReadonlyMap<string, Member>;
  requirements: ReadonlyMap<string, SkillRequirement>;
}

export const initialTeamState: TeamState = { members: new Map(), requirements: new Map() };

export interface TeamContext {
  project: ProjectState;
}

type Cmd<T extends string, D> = { type: T; data: D & { projectId: string }; metadata: CommandMetadata };
export type JoinMember = Cmd<'JoinMember', MemberProfile & { memberId: string }>;
export type ChangeMemberRole = Cmd<'ChangeMemberRole', { memberId: string; role: string; responsibilities: string[]; reason: string }>;
export type AmendMember = Cmd<'AmendMember', { memberId: string; changes: Partial<MemberDetails>; reason: string }>;
export type MemberLeaves = Cmd<'MemberLeaves', { memberId: string; handOverTo?: string; reason: string }>;
export type SetSkillRequirement = Cmd<'SetSkillRequirement', { skill: string; minLevel: number; headcount: number }>;
export type TeamCommand = JoinMember | ChangeMemberRole | AmendMember | MemberLeaves | SetSkillRequirement;
type MemberDetails = { name: string; skills: Member['skills']; weeklyCapacityHours: number; reportsTo: string };

export function evolveTeam(state: TeamState, event: TeamEvent): TeamState {
  switch (event.type) {
    case 'MemberJoined': {
      const { projectId, ...member } = event.data;
      return { ...state, projectId, members: new Map(state.members).set(member.memberId, member) };
    }
    case 'MemberRoleChanged': {
      const member = state.members.get(event.data.memberId);
      if (!member) return state;
      return { ...state, members: new Map(state.members).set(member.memberId, { ...member, ...event.data.after }) };
    }
    case 'MemberDetailsAmended': {
      const member = state.members.get(event.data.memberId);
      if (!member) return state;
      return { ...state, members: new Map(state.members).set(member.memberId, { ...member, ...event.data.after }) };
    }
    case 'MemberLeft': {
      const members = new Map(state.members);
      members.delete(event.data.memberId);
      return { ...state, members };
    }
    case 'SkillRequirementSet': {
      const requirements = new Map(state.requirements);
      if (event.data.headcount === 0) requirements.delete(event.data.skill);
      else requirements.set(event.data.skill, { minLevel: event.data.minLevel, headcount: event.data.headcount });
      return { ...state, projectId: event.data.projectId, requirements };
    }
  }
}

export function joinMember(command: JoinMember, state: TeamState, context: TeamContext): TeamEvent[] {
  requireOpen(context.project);
  const { memberId, reportsTo } = command.data;
  if (state.members.has(memberId)) refuse('MEMBER_ALREADY_IN_TEAM', `${memberId} is already a member of the project`);
  if (reportsTo !== undefined && !state.members.has(reportsTo))
    refuse('REPORTS_TO_NOT_A_MEMBER', `${reportsTo} is not a current member to report to`);
  const skills = new Set<string>();
  for (const { skill } of command.data.skills) {
    if (skills.has(skill)) refuse('SKILL_LISTED_TWICE', `skill ${skill} is listed twice`);
    skills.add(skill);
  }
  return [{ type: 'MemberJoined', data: command.data }];
}

export function changeMemberRole(command: ChangeMemberRole, state: TeamState, context: TeamContext): TeamEvent[] {
  requireOpen(context.project);
  const member = requireMember(state, command.data.memberId);
  const before = { role: member.role, responsibilities: member.responsibilities };
  const after = { role: command.data.role, responsibilities: command.data.responsibilities };
  if (JSON.stringify(before) === JSON.stringify(after))
    refuse('NOTHING_TO_CHANGE', `${member.memberId} already has this role and these responsibilities`);
  return [
    {
      type: 'MemberRoleChanged',
      data: { projectId: command.data.projectId, memberId: member.memberId, before, after, reason: command.data.reason },
    },
  ];
}

/** Corrects a member's name or details, naming only what changes; the history keeps before → after and the reason. */
export function amendMember(command: AmendMember, state: TeamState, context: TeamContext): TeamEvent[] {
  requireOpen(context.project);
  const member = requireMember(state, command.data.memberId);
  const keys = (Object.keys(command.data.changes) as (keyof MemberDetails)[]).filter(
    (key) => command.data.changes[key] !== undefined && JSON.stringify(command.data.changes[key]) !== JSON.stringify(member[key]),
  );
  if (keys.length === 0) refuse('NOTHING_TO_CHANGE', `${member.memberId} already has these details`);
  const { reportsTo } = command.data.changes;
  if (reportsTo !== undefined && (reportsTo === member.memberId || !state.members.has(reportsTo)))
    refuse('REPORTS_TO_NOT_A_MEMBER', `${reportsTo} is not another current member to report to`);
  const after = Object.fromEntries(keys.map((key) => [key, command.data.changes[key]]));
  const before = Object.fromEntries(keys.filter((key) => member[key] !== undefined).map((key) => [key, member[key]]));
  return [
    {
      type: 'MemberDetailsAmended',
      data: { projectId: command.data.projectId, memberId: member.memberId, before, after, reason: command.data.reason },
    },
  ];
}

export function memberLeaves(command: MemberLeaves, state: TeamState, context: TeamContext): TeamEvent[] {
  requireOpen(context.project);
  const { memberId, handOverTo, reason, projectId } = command.data;
  requireMember(state, memberId);
  if (handOverTo !== undefined) {
    if (handOverTo === memberId) refuse('HAND_OVER_TO_SELF', 'a leaving member cannot hand over to themselves');
    if (!state.members.has(handOverTo)) refuse('HAND_OVER_NOT_A_MEMBER', `${handOverTo} is not a current member to hand over to`);
  }
  return [{ type: 'MemberLeft', data: { projectId, memberId, reason, ...(handOverTo === undefined ? {} : { handOverTo }) } }];
}

export function setSkillRequirement(command: SetSkillRequirement, state: TeamState, context: TeamContext): TeamEvent[] {
  requireOpen(context.project);
  const { skill, minLevel, headcount } = command.data;
  const current = state.requirements.get(skill);
  if (headcount === 0 && !current) refuse('NOTHING_TO_CHANGE', `the project has no requirement for ${skill}`);
  if (current && current.minLevel === minLevel && current.headcount === headcount)
    refuse('NOTHING_TO_CHANGE', `the requirement for ${skill} is already set so`);
  return [{ type: 'SkillRequirementSet', data: command.data }];
}

export function decideTeam(command: TeamCommand, state: TeamState, context: TeamContext): TeamEvent[] {
  switch (command.type) {
    case 'JoinMember':
      return joinMember(command, state, context);
    case 'ChangeMemberRole':
      return changeMemberRole(command, state, context);
    case 'AmendMember':
      return amendMember(command, state, context);
    case 'MemberLeaves':
      return memberLeaves(command, state, context);
    case 'SetSkillRequirement':
      return setSkillRequirement(command, state, context);
    default: {
      const unknown: never = command;
      return refuse('UNKNOWN_COMMAND', `unknown team command ${(unknown as { type: string }).type}`);
    }
  }
}

export interface SkillCoverage {
  skill: string;
  minLevel: number;
  headcount: number;
  coveredBy: string[];
  covered: boolean;
}

/** Which required skills the current members cover, and by whom. */
export function skillCoverage(state: TeamState): SkillCoverage[] {
  return [...state.requirements].map(([skill, requirement]) => {
    const coveredBy = [...state.members.values()]
      .filter((m) => m.skills.some((s) => s.skill === skill && s.level >= requirement.minLevel))
      .map((m) => m.memberId);
    return { skill, ...requirement, coveredBy, covered: coveredBy.length >= requirement.headcount };
  });
}

function requireMember(state: TeamState, memberId: string): Member {
  const member = state.members.get(memberId);
  if (!member) refuse('MEMBER_NOT_FOUND', `${memberId} is not a current member of the project`);
  return member;
}
