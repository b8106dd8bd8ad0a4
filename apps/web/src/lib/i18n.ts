import i18next from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import { en } from '../locales/en';
import { zhCN } from '../locales/zh-CN';
import type { Language } from './format';

const STORED = 'planledger.language';

/** ?lang= first (a shared link), then the reader's own choice, then the browser's language. */
export function initialLanguage(): Language {
  const asked = new URLSearchParams(window.location.search).get('lang') ?? window.localStorage.getItem(STORED) ?? navigator.language;
  return asked.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function setupI18n(language: Language = initialLanguage()) {
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    lng: language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
  });
  document.documentElement.lang = language;
  return i18next;
}

export function changeLanguage(language: Language): void {
  window.localStorage.setItem(STORED, language);
  document.documentElement.lang = language;
  void i18next.changeLanguage(language);
}

/** The translator and the current language, typed to the dashboard's two. */
export function useLanguage() {
  const { t, i18n } = useTranslation();
  return { t, language: (i18n.language === 'zh-CN' ? 'zh-CN' : 'en') as Language };
}
