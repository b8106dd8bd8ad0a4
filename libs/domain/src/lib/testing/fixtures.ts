import type { GoalDefinition, ProjectCharter, ProjectEvent } from '@planledger/contracts';
import { sampleCharter, sampleRevenueGoal } from '@planledger/contracts/testing';
import type { CommandMetadata } from '../shared/domain-error';

export const meta: CommandMetadata = { actor: 'user:li.na', now: '2026-11-20T09:30:00.000Z' };

export const charter: ProjectCharter = sampleCharter;

export const projectOpened: ProjectEvent = { type: 'ProjectOpened', data: { projectId: 'p1', ...charter } };
export const projectClosed: ProjectEvent = { type: 'ProjectClosed', data: { projectId: 'p1', reason: 'quarter ended' } };

export const revenueGoal: GoalDefinition = sampleRevenueGoal;
