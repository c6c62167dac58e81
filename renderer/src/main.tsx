// Must stay the first import: it configures zod before shared/ loads it.
import './no-eval.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { connectTransport } from './client/transport.js';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('Convoy: #root element missing from index.html');

const connect = () => connectTransport();

createRoot(container).render(
  <StrictMode>
    <App connect={connect} />
  </StrictMode>,
);
