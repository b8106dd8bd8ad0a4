import { BellOutlined } from '@ant-design/icons';
import { Badge, Button, Input, Layout, Menu, Space, Typography } from 'antd';
import { useEffect } from 'react';
import { Link, Outlet, useLocation, useNavigate, useParams } from 'react-router';
import { useUnacknowledgedCount } from '../features/alerts/api/alerts';
import { useCan, useMe } from '../features/auth/api/get-me';
import { useSignOut } from '../features/auth/api/sign-in';
import { ApiError } from '../lib/api/client';
import { useLanguage } from '../lib/i18n';
import { LanguageSwitch } from './language-switch';
import { PageLoading } from './page-state';

/** Header (projects, the project's pages, alert badge, language, sign-out) around every signed-in page. */
export function AppLayout() {
  const { t } = useLanguage();
  const me = useMe();
  const navigate = useNavigate();
  const location = useLocation();
  const { projectId } = useParams();
  const unacknowledged = useUnacknowledgedCount();
  const signOut = useSignOut();
  const can = useCan(projectId);
  const signedOut = me.error instanceof ApiError && me.error.status === 401;

  useEffect(() => {
    if (signedOut) navigate(`/sign-in?returnTo=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
  }, [signedOut, navigate, location.pathname, location.search]);

  // The page's own data loads beside /me; only a refusal (401) sends the person to sign in.
  if (signedOut) return <PageLoading />;
  const base = projectId ? `/ui/projects/${encodeURIComponent(projectId)}` : undefined;
  const items = [
    { key: '/ui/projects', label: <Link to="/ui/projects">{t('app.projects')}</Link> },
    { key: '/ui/my-work', label: <Link to="/ui/my-work">{t('app.myWork')}</Link> },
    ...(base
      ? [
          { key: base, label: <Link to={base}>{t('nav.overview')}</Link> },
          { key: `${base}/tasks`, label: <Link to={`${base}/tasks`}>{t('nav.tasks')}</Link> },
          { key: `${base}/team`, label: <Link to={`${base}/team`}>{t('nav.team')}</Link> },
          ...(can('goal.plan') ? [{ key: `${base}/import`, label: <Link to={`${base}/import`}>{t('imports.nav')}</Link> }] : []),
        ]
      : []),
  ];
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a href="#main" className="skip-link">
        {t('app.skip')}
      </a>
      <Layout.Header
        style={{ display: 'flex', alignItems: 'center', gap: 16, background: '#fff', borderBottom: '1px solid #d9d9d9', paddingInline: 16 }}
      >
        <Typography.Text strong style={{ fontSize: 18, whiteSpace: 'nowrap' }}>
          {t('app.name')}
        </Typography.Text>
        <nav aria-label={t('app.projects')} style={{ flex: 1, minWidth: 0 }}>
          <Menu mode="horizontal" selectedKeys={[location.pathname]} items={items} style={{ borderBottom: 'none' }} />
        </nav>
        <Space size="middle">
          <Input.Search
            aria-label={t('app.search')}
            placeholder={t('app.search')}
            style={{ width: 200 }}
            onSearch={(value) => value.trim() && navigate(`/ui/search?q=${encodeURIComponent(value.trim())}`)}
            data-testid="header-search"
          />
          <Link
            to="/ui/alerts"
            aria-label={`${t('app.alerts')}: ${unacknowledged ?? 0}`}
            data-testid="alert-badge"
            data-count={unacknowledged ?? 0}
          >
            <Badge count={unacknowledged ?? 0} overflowCount={99} color="#a8071a">
              <BellOutlined style={{ fontSize: 20, color: '#262626' }} aria-hidden />
            </Badge>
          </Link>
          <LanguageSwitch />
          {me.data && (
            <Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>
              {me.data.name ?? me.data.actor}
            </Typography.Text>
          )}
          <Button onClick={() => signOut.mutate(undefined, { onSettled: () => navigate('/sign-in') })}>{t('app.signOut')}</Button>
        </Space>
      </Layout.Header>
      <Layout.Content id="main" style={{ padding: 24 }}>
        <Outlet />
      </Layout.Content>
    </Layout>
  );
}
