import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Root } from './components/root';
import { setupI18n } from './i18n/i18n';
import './styles.css';

await setupI18n();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
