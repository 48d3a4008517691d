import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { LoginPage } from './features/team/LoginPage';
import './styles.css';

// The sign-in page of team mode: its own small entry, so it opens no WebSocket before a session exists.
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <LoginPage />
    </StrictMode>,
  );
}
