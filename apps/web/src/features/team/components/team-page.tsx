import { Card, Table, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { Chart } from '../../../components/chart';
import { useParams, useSearchParams } from 'react-router';
import { PageError, PageLoading } from '../../../components/page-state';
import { StatusTag } from '../../../components/status-tag';
import type { TeamMember } from '../../../lib/api/types';
import { formatNumber, formatPercent } from '../../../lib/format';
import { useLanguage } from '../../../lib/i18n';
import { useTaskBoard } from '../../tasks/api/tasks';
import { useTeam } from '../api/team';
import { loadHeatmapOption } from './load-heatmap.options';
import { weeklyLoad } from './weekly-load';

/** Members with roles, responsibilities, skills, load this week and the goals they own. */
export function TeamPage() {
  const { projectId = '' } = useParams();
  const [params] = useSearchParams();
  const focus = params.get('member');
  const { t, language } = useLanguage();
  const team = useTeam(projectId);
  const board = useTaskBoard(projectId);
  const load = useMemo(
    () => (team.data && board.data ? weeklyLoad(team.data.members, board.data.tasks, team.data.date) : undefined),
    [team.data, board.data],
  );
  if (team.isPending) return <PageLoading />;
  if (team.error) return <PageError error={team.error} retry={() => void team.refetch()} />;
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('team.title')}
      </Typography.Title>
      <Table<TeamMember>
        rowKey="memberId"
        dataSource={team.data.members}
        pagination={false}
        rowClassName={(m) => (m.memberId === focus ? 'ant-table-row-selected' : '')}
        columns={[
          {
            title: t('team.member'),
            dataIndex: 'name',
            render: (name: string, m) => <span data-testid={`member-${m.memberId}`}>{name}</span>,
          },
          { title: t('team.role'), dataIndex: 'role' },
          { title: t('team.responsibilities'), render: (_, m) => m.responsibilities.join('; ') },
          { title: t('team.skills'), render: (_, m) => m.skills.map((s) => <Tag key={s.skill}>{`${s.skill} ${s.level}/5`}</Tag>) },
          { title: t('team.tasks'), align: 'right', render: (_, m) => `${m.openTasks} / ${m.overdueTasks} / ${m.blockedTasks}` },
          {
            title: t('team.load'),
            align: 'right',
            render: (_, m) =>
              `${formatNumber(m.dueThisWeekHours, language)} / ${formatNumber(m.weeklyCapacityHours, language)} h (${formatPercent(m.load, language)})`,
          },
          {
            title: t('team.goals'),
            render: (_, m) =>
              m.goals.map((g) => (
                <div key={g.goalId}>
                  {g.title}: {formatPercent(g.attainment, language)} <StatusTag status={g.status} />
                </div>
              )),
          },
        ]}
      />
      {load && (
        <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('team.heatmap')}</h2>} style={{ marginTop: 24 }}>
          <Chart
            language={language}
            label={t('team.heatmap')}
            height={80 + 36 * load.length}
            option={loadHeatmapOption(load, t('team.heatmap'), language)}
          />
        </Card>
      )}
    </>
  );
}
