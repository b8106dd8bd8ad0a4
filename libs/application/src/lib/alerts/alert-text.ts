import type { AlertLanguage } from '@planledger/contracts';
import { formatAmount, formatPercent } from '../format';

/** An alert as messages and the inbox show it: the event with what it is about. */
export interface AlertView {
  alertId: string;
  type: string;
  projectId: string;
  goalId?: string;
  taskId?: string;
  /** The goal's or task's title. */
  subject: string;
  /** The goal's unit (a currency code, customers, points), when the alert is about a goal. */
  unit?: string;
  raisedAt: string;
  data: Record<string, unknown>;
}

export interface AlertText {
  title: string;
  body: string;
}

/** Alert types as a Chinese reader names them (an escalation names the alert it escalates). */
const ZH_ALERT_TYPES: Record<string, string> = {
  KpiDriftDetected: '进度偏离警报',
  KpiBackOnTrack: '恢复正常通知',
  GoalWentStale: '实际结果长期未录入警报',
  TaskReminderRaised: '任务提醒',
};
const EN_ALERT_TYPES: Record<string, string> = {
  KpiDriftDetected: 'drift alert',
  KpiBackOnTrack: 'back-on-track notice',
  GoalWentStale: 'no-actuals alert',
  TaskReminderRaised: 'task reminder',
};

/** The alert in words, in English or Chinese. Numbers come from the event, never recomputed. */
export function alertText(alert: AlertView, language: AlertLanguage): AlertText {
  const d = alert.data;
  const zh = language === 'zh';
  const n = (value: unknown) => (typeof value === 'number' ? formatAmount(value, alert.unit ?? '', language).trim() : '—');
  const share = (value: unknown) => (typeof value === 'number' ? formatPercent(value) : '—');
  switch (alert.type) {
    case 'KpiDriftDetected': {
      const off = d['to'] === 'off_track';
      return zh
        ? {
            title: `【PlanLedger】目标「${alert.subject}」${off ? '已偏离计划' : '存在落后风险'}`,
            // The reason is the policy's English sentence: the Chinese text says the same from the numbers.
            body: `截至 ${d['asOf']}：计划完成 ${n(d['expectedToDate'])}，实际完成 ${n(d['actualToDate'])}，为计划进度的 ${share(d['pace'])}；按近期速度，截止日预计达到 ${n(d['trailingForecast'])}。`,
          }
        : {
            title: `[PlanLedger] Goal "${alert.subject}" is ${off ? 'off track' : 'at risk'}`,
            body: `As of ${d['asOf']}: expected ${n(d['expectedToDate'])}, actual ${n(d['actualToDate'])}; at the recent run rate it lands at ${n(d['trailingForecast'])} by the deadline. Why: ${d['reason']}`,
          };
    }
    case 'KpiBackOnTrack':
      return zh
        ? {
            title: `【PlanLedger】目标「${alert.subject}」已恢复正常进度`,
            body: `截至 ${d['asOf']}：计划完成 ${n(d['expectedToDate'])}，实际完成 ${n(d['actualToDate'])}。`,
          }
        : {
            title: `[PlanLedger] Goal "${alert.subject}" is back on track`,
            body: `As of ${d['asOf']}: expected ${n(d['expectedToDate'])}, actual ${n(d['actualToDate'])}.`,
          };
    case 'GoalWentStale':
      return zh
        ? {
            title: `【PlanLedger】目标「${alert.subject}」已 ${d['daysSinceLastActual']} 天没有录入实际结果`,
            body: `截至 ${d['asOf']}：请录入最新实际结果，否则无法判断进度。`,
          }
        : {
            title: `[PlanLedger] Goal "${alert.subject}" has had no actuals for ${d['daysSinceLastActual']} days`,
            body: `As of ${d['asOf']}: record the latest actuals, or its pace cannot be judged.`,
          };
    case 'TaskReminderRaised': {
      const days = Number(d['days']);
      if (d['kind'] === 'due_soon')
        return zh
          ? { title: `【PlanLedger】任务「${alert.subject}」将在 ${days} 天后到期`, body: `截止日期：${d['dueDate']}。` }
          : {
              title: `[PlanLedger] Task "${alert.subject}" is due in ${days} day${days === 1 ? '' : 's'}`,
              body: `Due on ${d['dueDate']}.`,
            };
      if (d['kind'] === 'overdue')
        return zh
          ? { title: `【PlanLedger】任务「${alert.subject}」已逾期 ${days} 天`, body: `截止日期为 ${d['dueDate']}，仍未完成。` }
          : {
              title: `[PlanLedger] Task "${alert.subject}" is ${days} day${days === 1 ? '' : 's'} overdue`,
              body: `It was due on ${d['dueDate']} and is not done.`,
            };
      return zh
        ? { title: `【PlanLedger】任务「${alert.subject}」已受阻 ${days} 天`, body: `截止日期：${d['dueDate']}。请协助解除阻碍。` }
        : {
            title: `[PlanLedger] Task "${alert.subject}" has been blocked for ${days} days`,
            body: `Due on ${d['dueDate']}. It needs help to move again.`,
          };
    }
    case 'AlertEscalated':
      return zh
        ? {
            title: `【PlanLedger】升级提醒：「${alert.subject}」的警报 ${d['afterMinutes']} 分钟内无人确认`,
            body: `原警报：${ZH_ALERT_TYPES[String(d['alertType'])] ?? '警报'}。请跟进。`,
          }
        : {
            title: `[PlanLedger] Escalation: the alert on "${alert.subject}" was not acknowledged within ${d['afterMinutes']} minutes`,
            body: `Original alert: ${EN_ALERT_TYPES[String(d['alertType'])] ?? 'alert'}. Please follow up.`,
          };
    default:
      return zh
        ? {
            title: `【PlanLedger】「${alert.subject}」的${ZH_ALERT_TYPES[alert.type] ?? '通知'}`,
            body: `截至 ${String(d['asOf'] ?? alert.raisedAt.slice(0, 10))}。`,
          }
        : { title: `[PlanLedger] ${alert.type}`, body: JSON.stringify(d) };
  }
}

/** Several alerts in one message (the daily digest). */
export function digestText(alerts: readonly AlertView[], day: string, language: AlertLanguage): AlertText {
  const lines = alerts.map((a) => `• ${alertText(a, language).title.replace(/^【PlanLedger】|^\[PlanLedger\] /, '')}`);
  return language === 'zh'
    ? { title: `【PlanLedger】${day} 警报摘要（${alerts.length} 条）`, body: lines.join('\n') }
    : { title: `[PlanLedger] Alert digest for ${day} (${alerts.length})`, body: lines.join('\n') };
}
