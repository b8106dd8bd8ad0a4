import { QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import 'dayjs/locale/zh-cn';
import dayjs from 'dayjs';
import { lazy, Suspense, useEffect } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { AppLayout } from '../components/app-layout';
import { PageLoading } from '../components/page-state';
import { SetPasswordPage } from '../features/auth/components/invitation-page';
import { SignInPage } from '../features/auth/components/sign-in-page';
import { OverviewPage } from '../features/overview/components/overview-page';
import { ProjectsPage } from '../features/projects/components/projects-page';
import { useLanguage } from '../lib/i18n';
import { queryClient } from './query-client';

// The overview is the page managers open first, so it comes with the entry; the others load when first opened.
const TasksPage = lazy(() => import('../features/tasks/components/tasks-page').then((m) => ({ default: m.TasksPage })));
const AlertsPage = lazy(() => import('../features/alerts/components/alerts-page').then((m) => ({ default: m.AlertsPage })));
const MyWorkPage = lazy(() => import('../features/work/components/my-work-page').then((m) => ({ default: m.MyWorkPage })));
const SearchPage = lazy(() => import('../features/work/components/search-page').then((m) => ({ default: m.SearchPage })));
const ImportPage = lazy(() => import('../features/imports/components/import-page').then((m) => ({ default: m.ImportPage })));
const TeamPage = lazy(() => import('../features/team/components/team-page').then((m) => ({ default: m.TeamPage })));

// Colours with at least 4.5:1 contrast on white; status never rests on colour alone (icon + word).
const theme = {
  token: {
    colorPrimary: '#1d5fb4',
    colorLink: '#1d5fb4',
    // Hovered links and buttons keep the contrast too (antd's derived hover colours are lighter).
    colorPrimaryHover: '#174d93',
    colorLinkHover: '#174d93',
    colorSuccess: '#237804',
    colorWarning: '#ad4e00',
    colorError: '#a8071a',
    colorTextSecondary: '#595959',
    colorTextDescription: '#595959',
    colorTextTertiary: '#595959',
    colorTextPlaceholder: '#6e6e6e',
    fontSize: 14,
  },
};

export function App() {
  const { language } = useLanguage();
  useEffect(() => {
    dayjs.locale(language === 'zh-CN' ? 'zh-cn' : 'en');
  }, [language]);
  return (
    <QueryClientProvider client={queryClient}>
      <ConfigProvider locale={language === 'zh-CN' ? zhCN : enUS} theme={theme} button={{ autoInsertSpace: false }}>
        <AntApp>
          <BrowserRouter>
            <Suspense fallback={<PageLoading />}>
              <Routes>
                <Route path="/sign-in" element={<SignInPage />} />
                <Route path="/invitation" element={<SetPasswordPage kind="invitation" />} />
                <Route path="/password-reset" element={<SetPasswordPage kind="reset" />} />
                <Route element={<AppLayout />}>
                  <Route path="/" element={<Navigate to="/ui/projects" replace />} />
                  <Route path="/ui" element={<Navigate to="/ui/projects" replace />} />
                  <Route path="/ui/projects" element={<ProjectsPage />} />
                  <Route path="/ui/projects/:projectId" element={<OverviewPage />} />
                  <Route path="/ui/projects/:projectId/tasks" element={<TasksPage />} />
                  <Route path="/ui/projects/:projectId/team" element={<TeamPage />} />
                  <Route path="/ui/projects/:projectId/import" element={<ImportPage />} />
                  <Route path="/ui/alerts" element={<AlertsPage />} />
                  <Route path="/ui/my-work" element={<MyWorkPage />} />
                  <Route path="/ui/search" element={<SearchPage />} />
                  <Route path="*" element={<Navigate to="/ui/projects" replace />} />
                </Route>
              </Routes>
            </Suspense>
          </BrowserRouter>
        </AntApp>
      </ConfigProvider>
    </QueryClientProvider>
  );
}
