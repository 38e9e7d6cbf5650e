import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App } from './App';
import { loadRuntimeConfig } from './config';
import { SessionProvider } from './session';
import './styles.css';

const config = loadRuntimeConfig();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <SessionProvider>
        <App config={config} />
      </SessionProvider>
    </BrowserRouter>
  </StrictMode>,
);
