import type { StrategyElement, StrategyEvent } from '@planledger/contracts';
import { evolveProject, initialProjectState } from '../project/project.decider';
import { meta, projectClosed, projectOpened } from '../testing/fixtures';
import { deciderSpec } from '../testing/given-when-then';
import {
  decideStrategy,
  evolveStrategy,
  initialStrategyState,
  traceStrategy,
  type StrategyCommand,
  type StrategyContext,
  type StrategyState,
} from './strategy.decider';

const spec = deciderSpec<StrategyState, StrategyEvent, StrategyCommand, StrategyContext>({
  initialState: initialStrategyState,
  evolve: evolveStrategy,
  decide: decideStrategy,
});
const open: StrategyContext = { project: [projectOpened].reduce(evolveProject, initialProjectState) };
const closed: StrategyContext = { project: [projectOpened, projectClosed].reduce(evolveProject, initialProjectState) };
const missing: StrategyContext = { project: initialProjectState };

const segment: StrategyElement = {
  kind: 'segment',
  name: 'Mid-size manufacturers',
  criteria: ['50–500 staff'],
  needs: ['uptime'],
  buyingBehaviour: 'committee, 3 months',
  priority: 'high',
};
const channel = (revenueShare: number, segmentIds = ['seg']): StrategyElement => ({
  kind: 'channel',
  name: 'Direct sales',
  channelKind: 'direct',
  segmentIds,
  revenueShare,
});
const promotion = (startDate = '2026-11-01', endDate = '2026-11-30'): StrategyElement => ({
  kind: 'promotion',
  name: 'Trade fair',
  promotionKind: 'event',
  channelId: 'ch',
  segmentIds: ['seg'],
  budget: 20_000,
  startDate,
  endDate,
  expectedLift: { goalId: 'g1', percent: 5 },
});
const define = (elementId: string, element: StrategyElement): StrategyCommand => ({
  type: 'DefineStrategyElement',
  data: { projectId: 'p1', elementId, element },
  metadata: meta,
});
const defined = (elementId: string, element: StrategyElement): StrategyEvent => ({
  type: 'StrategyElementDefined',
  data: { projectId: 'p1', elementId, element },
});
const revise = (elementId: string, element: StrategyElement): StrategyCommand => ({
  type: 'ReviseStrategyElement',
  data: { projectId: 'p1', elementId, element, reason: 'new data' },
  metadata: meta,
});
const withdraw = (elementId: string): StrategyCommand => ({
  type: 'WithdrawStrategyElement',
  data: { projectId: 'p1', elementId, reason: 'dropped' },
  metadata: meta,
});
const withdrawn = (elementId: string): StrategyEvent => ({
  type: 'StrategyElementWithdrawn',
  data: { projectId: 'p1', elementId, reason: 'dropped' },
});

describe('strategy', () => {
  describe('given no element', () => {
    it('defines one; refuses to revise or withdraw it', () => {
      spec()
        .when(define('seg', segment), open)
        .then([defined('seg', segment)]);
      spec().when(revise('seg', segment), open).thenRefuses('STRATEGY_ELEMENT_NOT_FOUND');
      spec().when(withdraw('seg'), open).thenRefuses('STRATEGY_ELEMENT_NOT_FOUND');
    });
    it('refuses references to segments or channels that are not there', () => {
      spec()
        .when(define('ch', channel(0.5)), open)
        .thenRefuses('SEGMENT_NOT_FOUND');
      spec([defined('seg', segment)])
        .when(define('promo', promotion()), open)
        .thenRefuses('CHANNEL_NOT_FOUND');
      spec([defined('seg', segment)])
        .when(define('ch', channel(0.5, ['nope'])), open)
        .thenRefuses('SEGMENT_NOT_FOUND');
    });
    it('refuses any change in a closed or unknown project', () => {
      spec().when(define('seg', segment), closed).thenRefuses('PROJECT_CLOSED');
      spec().when(define('seg', segment), missing).thenRefuses('PROJECT_NOT_FOUND');
      spec([defined('seg', segment)])
        .when(withdraw('seg'), closed)
        .thenRefuses('PROJECT_CLOSED');
    });
  });

  describe('given active elements', () => {
    const given = [defined('seg', segment), defined('ch', channel(0.6))];
    it('refuses the same id again, and a channel that would take the shares past 100%', () => {
      spec(given).when(define('seg', segment), open).thenRefuses('STRATEGY_ELEMENT_EXISTS');
      spec(given)
        .when(define('ch2', channel(0.5)), open)
        .thenRefuses('CHANNEL_SHARES_EXCEED_TARGET');
      spec(given)
        .when(define('ch2', channel(0.4)), open)
        .then([defined('ch2', channel(0.4))]);
    });
    it('revises one with a reason, keeping its kind, and refuses an unchanged revision', () => {
      spec(given)
        .when(revise('ch', channel(0.9)), open)
        .then([
          {
            type: 'StrategyElementRevised',
            data: { projectId: 'p1', elementId: 'ch', before: channel(0.6), after: channel(0.9), reason: 'new data' },
          },
        ]);
      spec(given).when(revise('ch', segment), open).thenRefuses('STRATEGY_KIND_CHANGED');
      spec(given)
        .when(revise('ch', channel(0.6)), open)
        .thenRefuses('NOTHING_TO_CHANGE');
    });
    it('keeps promotions inside the project period', () => {
      spec(given)
        .when(define('promo', promotion()), open)
        .then([defined('promo', promotion())]);
      spec(given)
        .when(define('promo', promotion('2026-09-20', '2026-10-10')), open)
        .thenRefuses('PROMOTION_OUTSIDE_PERIOD');
    });
    it('withdraws an element nothing uses, and refuses one others refer to', () => {
      spec(given)
        .when(withdraw('ch'), open)
        .then([withdrawn('ch')]);
      spec(given)
        .when(withdraw('seg'), open)
        .thenRefuses('STRATEGY_ELEMENT_IN_USE', /used by ch/);
    });
  });

  describe('given a withdrawn element', () => {
    const given = [defined('seg', segment), withdrawn('seg')];
    it('keeps its id taken, and refuses to revise, withdraw or refer to it', () => {
      spec(given).when(define('seg', segment), open).thenRefuses('STRATEGY_ELEMENT_EXISTS');
      spec(given).when(revise('seg', segment), open).thenRefuses('STRATEGY_ELEMENT_NOT_FOUND');
      spec(given).when(withdraw('seg'), open).thenRefuses('STRATEGY_ELEMENT_NOT_FOUND');
      spec(given)
        .when(define('ch', channel(0.2)), open)
        .thenRefuses('SEGMENT_NOT_FOUND');
    });
  });

  it('traces which goals and tasks serve which element, and flags what nothing serves', () => {
    const state = [
      defined('seg', segment),
      defined('ch', channel(0.5)),
      defined('promo', promotion()),
      defined('price', {
        kind: 'pricing',
        name: 'List',
        model: 'value',
        listPrices: [],
        discountPolicy: { maxDiscount: 0.2, approvalThreshold: 0.1 },
        floorMargin: 0.3,
      }),
    ].reduce(evolveStrategy, initialStrategyState);
    const trace = traceStrategy(
      state,
      [
        { goalId: 'g1', title: 'Revenue', status: 'active', strategyRefs: ['seg'] },
        { goalId: 'g2', title: 'Customers', status: 'active' },
        { goalId: 'g3', title: 'Old', status: 'withdrawn', strategyRefs: ['price'] },
      ],
      [{ taskId: 't1', title: 'Call list', status: 'planned', strategyRef: 'ch' }],
    );
    expect(trace.elements.map((e) => [e.elementId, e.servedByGoals.map((g) => g.goalId), e.servedByTasks.map((t) => t.taskId)])).toEqual([
      ['seg', ['g1'], []],
      ['ch', [], ['t1']],
      ['promo', ['g1'], []],
      ['price', [], []],
    ]);
    expect(trace.unservedElements).toEqual(['price']);
    expect(trace.goalsServingNoElement).toEqual(['g2']);
  });
});
