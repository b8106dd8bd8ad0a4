import type { AlertChannel } from '@planledger/contracts';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AlertText } from './alert-text';

/** A subscription's destination, as sealed in its event. */
export type ChannelTarget = { url: string; secret?: string } | { to: string };

export type Outgoing =
  | { kind: 'http'; url: string; headers: Record<string, string>; body: string }
  | { kind: 'email'; to: string; subject: string; text: string };

/** `sha256=<hex>`: HMAC-SHA256 of the exact body bytes under the subscription's secret. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** Checks an `X-PlanLedger-Signature` header in constant time (receivers can copy this). */
export function verifyWebhookSignature(secret: string, body: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(webhookSignature(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** DingTalk custom robot "加签": base64 HMAC-SHA256 of `timestamp\nsecret` keyed by the secret, ms timestamp. */
export function dingTalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/** Feishu/Lark custom robot signature: base64 HMAC-SHA256 of the empty string keyed by `timestamp\nsecret`, s timestamp. */
export function feishuSign(secret: string, timestampS: number): string {
  return createHmac('sha256', `${timestampS}\n${secret}`).update('').digest('base64');
}

/** A word joiner: invisible, and it keeps `@all` from being read as a mention. */
const JOINER = '\u2060';

/**
 * User text (goal and task titles, reasons) as a chat robot must get it so that it mentions nobody:
 * Slack reads `<!channel>`, `<!here>` and `<@U…>` (escaped as Slack asks, `&amp; &lt; &gt;`);
 * Feishu reads `<at user_id="all">`; WeCom, DingTalk and Feishu read `@all` and `@所有人`.
 */
export function withoutMentions(channel: AlertChannel, text: string): string {
  switch (channel) {
    case 'slack':
      return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    case 'feishu':
      return withoutMentions('wecom', text.replace(/<(\s*\/?\s*at\b)/gi, '＜$1'));
    case 'wecom':
    case 'dingtalk':
      return text.replace(/@(?=all\b|所有人|everyone\b|here\b)/gi, `@${JOINER}`);
    default:
      return text;
  }
}

/**
 * What to send for one alert on one channel. Pure but for the time it is given: webhooks carry the
 * alert as JSON with its signature and the alert's id as Idempotency-Key; the chat robots get text
 * in their own formats, signed where the robot asks for it.
 */
export function outgoing(
  channel: AlertChannel,
  target: ChannelTarget,
  text: AlertText,
  payload: Record<string, unknown>,
  idempotencyKey: string,
  now: Date,
): Outgoing {
  if (channel === 'email') {
    if (!('to' in target)) throw new Error('an e-mail subscription needs an address');
    return { kind: 'email', to: target.to, subject: text.title, text: `${text.body}\n\n— PlanLedger (${idempotencyKey})` };
  }
  if (!('url' in target)) throw new Error(`a ${channel} subscription needs a URL`);
  const json = { 'content-type': 'application/json; charset=utf-8', 'idempotency-key': idempotencyKey };
  const chat = { title: withoutMentions(channel, text.title), body: withoutMentions(channel, text.body) };
  const message = `${chat.title}\n${chat.body}`;
  switch (channel) {
    case 'webhook': {
      const body = JSON.stringify({ ...payload, text });
      if (!target.secret) throw new Error('a webhook subscription needs its signing secret');
      return {
        kind: 'http',
        url: target.url,
        headers: {
          ...json,
          'x-planledger-signature': webhookSignature(target.secret, body),
          'x-planledger-event': String(payload['type']),
        },
        body,
      };
    }
    case 'slack':
      return { kind: 'http', url: target.url, headers: json, body: JSON.stringify({ text: `*${chat.title}*\n${chat.body}` }) };
    case 'wecom':
      return { kind: 'http', url: target.url, headers: json, body: JSON.stringify({ msgtype: 'text', text: { content: message } }) };
    case 'dingtalk': {
      const url = new URL(target.url);
      if (target.secret) {
        const timestamp = now.getTime();
        url.searchParams.set('timestamp', String(timestamp));
        url.searchParams.set('sign', dingTalkSign(target.secret, timestamp));
      }
      return { kind: 'http', url: url.toString(), headers: json, body: JSON.stringify({ msgtype: 'text', text: { content: message } }) };
    }
    case 'feishu': {
      const timestamp = Math.floor(now.getTime() / 1000);
      const signed = target.secret ? { timestamp: String(timestamp), sign: feishuSign(target.secret, timestamp) } : {};
      return {
        kind: 'http',
        url: target.url,
        headers: json,
        body: JSON.stringify({ ...signed, msg_type: 'text', content: { text: message } }),
      };
    }
  }
}
