import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApolloProvider } from '@apollo/client';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { UiLanguage } from '@clinicult/web-ui';
import { BrowserRouter } from 'react-router-dom';
import { createApolloClient } from './apollo';
import { App } from './App';
import { i18n, supported } from './i18n';
import './styles.css';

/** web-ui's components speak the app's current language (re-rendered when it changes). */
function UiLanguageOfApp({ children }: { children: ReactNode }) {
  const { i18n: current } = useTranslation();
  return <UiLanguage language={supported(current.language) ?? 'en'}>{children}</UiLanguage>;
}

const root = createRoot(document.getElementById('root')!);
try {
  const client = createApolloClient();
  root.render(
    <StrictMode>
      <ApolloProvider client={client}>
        <I18nextProvider i18n={i18n}>
          <UiLanguageOfApp>
            <BrowserRouter>
              <App />
            </BrowserRouter>
          </UiLanguageOfApp>
        </I18nextProvider>
      </ApolloProvider>
    </StrictMode>,
  );
} catch (error) {
  root.render(
    <main className="centered">
      <h1>Clinicult cannot start</h1>
      <p role="alert">{(error as Error).message}</p>
    </main>,
  );
}
