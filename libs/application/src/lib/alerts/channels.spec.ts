import { createHmac } from 'node:crypto';
import { alertText, digestText, type AlertView } from './alert-text';
import { dingTalkSign, feishuSign, outgoing, verifyWebhookSignature, withoutMentions } from './channels';
import { maskEmail, maskUrl, SecretBox } from './secret-box';

const drift: AlertView = {
  alertId: '0b1d2c3e-4f50-4617-8293-a4b5c6d7e8f9',
  type: 'KpiDriftDetected',
  projectId: 'p1',
  goalId: 'g1',
  subject: 'Q4 revenue East',
  raisedAt: '2026-11-20T09:00:00.000Z',
  data: {
    goalId: 'g1',
    from: 'on_track',
    to: 'off_track',
    asOf: '2026-11-20',
    pace: 0.5,
    expectedToDate: 100,
    actualToDate: 50,
    trailingForecast: 120,
    reason: 'pace 50% of plan',
  },
};
const text = alertText(drift, 'en');
const now = new Date('2026-11-20T09:00:01.234Z');

describe('alert channels', () => {
  it('signs a webhook body with HMAC-SHA256 that a receiver verifies, and rejects a changed body', () => {
    const out = outgoing(
      'webhook',
      { url: 'https://crm.example/hook', secret: 'whsec_test' },
      text,
      { id: drift.alertId, type: drift.type },
      drift.alertId,
      now,
    );
    if (out.kind !== 'http') throw new Error('expected http');
    expect(out.headers['idempotency-key']).toBe(drift.alertId);
    expect(out.headers['x-planledger-signature']).toBe(`sha256=${createHmac('sha256', 'whsec_test').update(out.body).digest('hex')}`);
    expect(verifyWebhookSignature('whsec_test', out.body, out.headers['x-planledger-signature'])).toBe(true);
    expect(verifyWebhookSignature('whsec_test', out.body.replace('50', '51'), out.headers['x-planledger-signature'])).toBe(false);
    expect(verifyWebhookSignature('other', out.body, out.headers['x-planledger-signature'])).toBe(false);
    expect(JSON.parse(out.body)).toMatchObject({ id: drift.alertId, text: { title: '[PlanLedger] Goal "Q4 revenue East" is off track' } });
  });

  it('signs DingTalk robots with timestamp and sign query parameters (HMAC of "timestamp\\nsecret")', () => {
    const out = outgoing(
      'dingtalk',
      { url: 'https://oapi.dingtalk.com/robot/send?access_token=abc', secret: 'SECxyz' },
      text,
      {},
      drift.alertId,
      now,
    );
    if (out.kind !== 'http') throw new Error('expected http');
    const url = new URL(out.url);
    expect(url.searchParams.get('access_token')).toBe('abc');
    expect(url.searchParams.get('timestamp')).toBe(String(now.getTime()));
    expect(url.searchParams.get('sign')).toBe(createHmac('sha256', 'SECxyz').update(`${now.getTime()}\nSECxyz`).digest('base64'));
    expect(dingTalkSign('SECxyz', now.getTime())).toBe(url.searchParams.get('sign'));
    expect(JSON.parse(out.body)).toEqual({ msgtype: 'text', text: { content: `${text.title}\n${text.body}` } });
  });

  it('signs Feishu robots in the body with a seconds timestamp (HMAC keyed by "timestamp\\nsecret")', () => {
    const out = outgoing('feishu', { url: 'https://open.feishu.cn/open-apis/bot/v2/hook/xyz', secret: 'fs' }, text, {}, drift.alertId, now);
    if (out.kind !== 'http') throw new Error('expected http');
    const body = JSON.parse(out.body);
    expect(body.timestamp).toBe('1795165201');
    expect(body.sign).toBe(createHmac('sha256', '1795165201\nfs').update('').digest('base64'));
    expect(feishuSign('fs', 1795165201)).toBe(body.sign);
    expect(body).toMatchObject({ msg_type: 'text', content: { text: `${text.title}\n${text.body}` } });
  });

  it('sends unsigned robots without signature fields, and Slack and WeCom in their own shapes', () => {
    const feishu = outgoing('feishu', { url: 'https://open.feishu.cn/hook/x' }, text, {}, 'k', now);
    expect(feishu.kind === 'http' && JSON.parse(feishu.body)).toEqual({
      msg_type: 'text',
      content: { text: `${text.title}\n${text.body}` },
    });
    const slack = outgoing('slack', { url: 'https://hooks.slack.com/services/T/B/X' }, text, {}, 'k', now);
    expect(slack.kind === 'http' && JSON.parse(slack.body)).toEqual({ text: `*${text.title}*\n${text.body}` });
    const wecom = outgoing('wecom', { url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' }, text, {}, 'k', now);
    expect(wecom.kind === 'http' && JSON.parse(wecom.body)).toEqual({ msgtype: 'text', text: { content: `${text.title}\n${text.body}` } });
  });

  it('sends user text to chat so that it mentions nobody, each channel by its own syntax', () => {
    const hostile = { title: 'Q4 <!channel> @all <at user_id="all">x</at>', body: 'ping <!here> <@U123> @所有人 & co' };
    const body = (channel: 'slack' | 'wecom' | 'dingtalk' | 'feishu') =>
      JSON.parse((outgoing(channel, { url: 'https://robot.example/x' }, hostile, {}, 'id', now) as { body: string }).body) as unknown;
    const slack = (body('slack') as { text: string }).text;
    expect(slack).not.toMatch(/<!channel>|<!here>|<@U123>/);
    expect(slack).toContain('&lt;!channel&gt;');
    expect(slack).toContain('&amp; co');
    for (const channel of ['wecom', 'dingtalk'] as const) {
      const content = (body(channel) as { text: { content: string } }).text.content;
      expect(content).not.toMatch(/@all|@所有人/);
      expect(content.replaceAll('\u2060', '')).toContain('@all');
    }
    const feishu = (body('feishu') as { content: { text: string } }).content.text;
    expect(feishu).not.toMatch(/<at|@all|@所有人/);
    // Webhooks and e-mail carry the text as it is: they are read by programs and people, not robots.
    expect(withoutMentions('webhook', hostile.title)).toBe(hostile.title);
    expect(withoutMentions('email', hostile.body)).toBe(hostile.body);
  });

  it('writes e-mail with the title as subject, and refuses a target of the wrong kind', () => {
    expect(outgoing('email', { to: 'li.na@example.com' }, text, {}, 'k', now)).toMatchObject({
      kind: 'email',
      to: 'li.na@example.com',
      subject: text.title,
    });
    expect(() => outgoing('email', { url: 'https://x' }, text, {}, 'k', now)).toThrow(/address/);
    expect(() => outgoing('webhook', { url: 'https://x' }, text, {}, 'k', now)).toThrow(/secret/);
  });
});

describe('alert text', () => {
  it('says each alert in English and Chinese with the numbers of the event', () => {
    expect(alertText(drift, 'zh')).toEqual({
      title: '【PlanLedger】目标「Q4 revenue East」已偏离计划',
      body: '截至 2026-11-20：计划完成 100，实际完成 50，为计划进度的 50%；按近期速度，截止日预计达到 120。',
    });
    expect(alertText({ ...drift, data: { ...drift.data, to: 'at_risk' } }, 'en').title).toBe(
      '[PlanLedger] Goal "Q4 revenue East" is at risk',
    );
    expect(alertText({ ...drift, type: 'KpiBackOnTrack' }, 'zh').title).toContain('已恢复正常进度');
    expect(alertText({ ...drift, type: 'GoalWentStale', data: { ...drift.data, daysSinceLastActual: 9 } }, 'en').title).toContain(
      'no actuals for 9 days',
    );
    const reminder = {
      ...drift,
      type: 'TaskReminderRaised',
      subject: 'Call ACME',
      data: { kind: 'overdue', days: 1, dueDate: '2026-11-19' },
    };
    expect(alertText(reminder, 'en').title).toBe('[PlanLedger] Task "Call ACME" is 1 day overdue');
    expect(alertText(reminder, 'zh').title).toBe('【PlanLedger】任务「Call ACME」已逾期 1 天');
    expect(alertText({ ...reminder, data: { kind: 'due_soon', days: 2, dueDate: '2026-11-22' } }, 'en').title).toContain('due in 2 days');
    expect(alertText({ ...reminder, data: { kind: 'blocked_too_long', days: 4, dueDate: '2026-11-22' } }, 'zh').title).toContain(
      '已受阻 4 天',
    );
    expect(
      alertText({ ...drift, type: 'AlertEscalated', data: { alertType: 'KpiDriftDetected', afterMinutes: 240 } }, 'en').title,
    ).toContain('not acknowledged within 240 minutes');
    expect(digestText([drift, drift], '2026-11-20', 'en')).toEqual({
      title: '[PlanLedger] Alert digest for 2026-11-20 (2)',
      body: '• Goal "Q4 revenue East" is off track\n• Goal "Q4 revenue East" is off track',
    });
  });
});

describe('secret box', () => {
  it('seals and opens with the same key, and refuses another key or a changed value', () => {
    const box = new SecretBox('k'.repeat(32));
    const sealed = box.seal({ url: 'https://hooks.slack.com/services/T/B/secret' });
    expect(sealed).not.toContain('secret');
    expect(box.open(sealed)).toEqual({ url: 'https://hooks.slack.com/services/T/B/secret' });
    expect(() => new SecretBox('x'.repeat(32)).open(sealed)).toThrow(/NOTIFY_SECRET_KEY differs/);
    expect(() => box.open(`${sealed.slice(0, -2)}AA`)).toThrow(/cannot be opened/);
    expect(() => new SecretBox('short')).toThrow(/at least 32/);
  });
  it('masks URLs and addresses for lists', () => {
    expect(maskUrl('https://hooks.slack.com/services/T/B/secret')).toBe('https://hooks.slack.com/…');
    expect(maskUrl('https://hooks.example.com/secret-token/in')).toBe('https://hooks.example.com/…');
    expect(maskEmail('li.na@example.com')).toBe('l…@example.com');
  });
});
