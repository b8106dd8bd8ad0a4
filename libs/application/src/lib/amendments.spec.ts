import {
  amendMemberBodySchema,
  amendProjectCharterBodySchema,
  setIncentiveSchemeBodySchema,
  type ProjectCharter,
} from '@planledger/contracts';
import { sampleCharter } from '@planledger/contracts/testing';
import { InMemoryEventStore } from '@planledger/event-store';
import { Planning, type RequestMetadata } from './planning';

const meta: RequestMetadata = { actor: 'user:li.na', now: '2026-10-02T08:00:00.000Z', correlationId: 'c' };

/** One new value per charter field, each different from the sample charter's. */
const ONE_FIELD: { [K in keyof ProjectCharter]: ProjectCharter[K] } = {
  name: 'Q4 East region push (renamed)',
  managerId: 'zhang-wei',
  periodStart: '2026-09-15',
  periodEnd: '2027-01-15',
  currency: 'EUR',
  timeZone: 'Pacific/Honolulu',
  description: 'A new description.',
  smartPolicy: { onFailure: 'refuse', achievableMultiple: 5 },
};

describe('a charter amendment that names one field', () => {
  it.each(Object.keys(ONE_FIELD) as (keyof ProjectCharter)[])('changes %s and leaves every other field as it was', async (field) => {
    const store = new InMemoryEventStore();
    const planning = new Planning(store);
    await planning.openProject('p1', { ...sampleCharter }, meta);
    // The body as the API parses it: no defaults may fill in the fields not sent.
    const body = amendProjectCharterBodySchema.parse({ changes: { [field]: ONE_FIELD[field] }, reason: 'one field only' });
    expect(Object.keys(body.changes)).toEqual([field]);
    await planning.amendProjectCharter('p1', body.changes, body.reason, meta);
    // Read back from the stored events (parsed as on every load), not from a cache.
    const { state } = await new Planning(store).project('p1');
    expect(state.charter).toEqual({ ...sampleCharter, [field]: ONE_FIELD[field] });
  });
});

describe('a member amendment that names one field', () => {
  const joined = {
    name: 'Wang Fnag',
    role: 'Account executive',
    responsibilities: ['key accounts'],
    skills: [{ skill: 'negotiation', level: 3 }],
    weeklyCapacityHours: 40,
  };
  const ONE: Record<string, unknown> = {
    name: 'Wang Fang',
    skills: [{ skill: 'negotiation', level: 4 }],
    weeklyCapacityHours: 32,
    reportsTo: 'li-na',
  };

  it.each(Object.keys(ONE))('changes %s, keeps the rest, and keeps the old value in the history', async (field) => {
    const store = new InMemoryEventStore();
    const planning = new Planning(store);
    await planning.openProject('p1', { ...sampleCharter }, meta);
    await planning.changeTeam('p1', { type: 'JoinMember', data: { memberId: 'li-na', ...joined, name: 'Li Na' } }, meta);
    await planning.changeTeam('p1', { type: 'JoinMember', data: { memberId: 'wang-fang', ...joined } }, meta);
    const body = amendMemberBodySchema.parse({ changes: { [field]: ONE[field] }, reason: '病假' });
    expect(Object.keys(body.changes)).toEqual([field]);
    await planning.changeTeam('p1', { type: 'AmendMember', data: { memberId: 'wang-fang', ...body } }, meta);
    const member = (await new Planning(store).team('p1')).members.find((m) => m.memberId === 'wang-fang');
    expect(member).toEqual({ memberId: 'wang-fang', ...joined, [field]: ONE[field] });
    const [amended] = (await store.readStream('team-p1')).filter((e) => e.type === 'MemberDetailsAmended');
    expect(amended?.data).toMatchObject({ after: { [field]: ONE[field] }, reason: '病假' });
  });

  it('refuses an amendment that names nothing, and a blank reason', () => {
    expect(amendMemberBodySchema.safeParse({ changes: {}, reason: 'typo' }).success).toBe(false);
    expect(amendMemberBodySchema.safeParse({ changes: { name: 'Wang Fang' }, reason: '   ' }).success).toBe(false);
  });
});

describe('rules that fit the users', () => {
  it('takes a two-character Chinese reason', () => {
    expect(amendProjectCharterBodySchema.parse({ changes: { description: 'x' }, reason: '病假' }).reason).toBe('病假');
  });

  it('refuses an incentive threshold on the percent scale: attainment is a share everywhere', () => {
    const rule = (threshold: number) => ({
      rules: [{ ruleId: 'r1', title: 'On target', scope: 'member', threshold, award: { kind: 'award', title: 'Cup' } }],
    });
    expect(setIncentiveSchemeBodySchema.safeParse(rule(0.8)).success).toBe(true);
    const refused = setIncentiveSchemeBodySchema.safeParse(rule(100));
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toContain('0.8 is 80%');
  });
});
