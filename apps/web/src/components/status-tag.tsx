import { CheckCircleFilled, CloseCircleFilled, ExclamationCircleFilled } from '@ant-design/icons';
import { Tag } from 'antd';
import type { CSSProperties, ReactNode } from 'react';
import type { GoalStatus } from '../lib/api/types';
import { useLanguage } from '../lib/i18n';

export type Tone = 'good' | 'warning' | 'bad' | 'neutral';

/** Text and background pairs with at least 4.5:1 contrast (WCAG AA), so every tag reads in daylight. */
export const TONES: Record<Tone, CSSProperties> = {
  good: { color: '#135200', background: '#f6ffed', borderColor: '#95de64' },
  warning: { color: '#7a2e00', background: '#fff7e6', borderColor: '#ffc069' },
  bad: { color: '#820014', background: '#fff1f0', borderColor: '#ff7875' },
  neutral: { color: '#262626', background: '#fafafa', borderColor: '#d9d9d9' },
};

export function ToneTag({
  tone,
  icon,
  children,
  ...rest
}: {
  tone: Tone;
  icon?: ReactNode;
  children: ReactNode;
  [data: `data-${string}`]: string;
}) {
  return (
    <Tag icon={icon} style={{ ...TONES[tone], fontWeight: 600 }} {...rest}>
      {children}
    </Tag>
  );
}

// Icon and word carry the status; colour only repeats it (in China red often means "up").
const LOOK: Record<GoalStatus, { icon: ReactNode; tone: Tone }> = {
  on_track: { icon: <CheckCircleFilled />, tone: 'good' },
  at_risk: { icon: <ExclamationCircleFilled />, tone: 'warning' },
  off_track: { icon: <CloseCircleFilled />, tone: 'bad' },
};

export function StatusTag({ status }: { status: GoalStatus }) {
  const { t } = useLanguage();
  const look = LOOK[status];
  return (
    <ToneTag tone={look.tone} icon={look.icon} data-status={status}>
      {t(`status.${status}`)}
    </ToneTag>
  );
}
