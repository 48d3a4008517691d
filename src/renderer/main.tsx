import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { api } from './api/client';
import { queryClient } from './data/calls';
import { followCore } from './data/follow-core';
import { followToastConditions } from './stores/errors-store';
import './tokens.css';
import './styles.css';

// For the life of the window: core events keep the cache fresh, and toasts clear when their cause does.
followCore(api, queryClient);
followToastConditions(api);

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
}
