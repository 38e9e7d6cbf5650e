import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApolloProvider } from '@apollo/client';
import { I18nextProvider } from 'react-i18next';
import { BrowserRouter } from 'react-router-dom';
import { createApolloClient } from './apollo';
import { App } from './App';
import { i18n } from './i18n';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
try {
  const client = createApolloClient();
  root.render(
    <StrictMode>
      <ApolloProvider client={client}>
        <I18nextProvider i18n={i18n}>
          <BrowserRouter>
            <App />
          </BrowserRouter>
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
