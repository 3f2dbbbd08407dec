/** The landing page: sign in, then go to the dashboard. */

import { session } from './api.js';
import { $, extensionId, renderHeader, wireSignIn } from './common.js';

function toDashboard() {
  const ext = extensionId();
  location.href = ext ? `/dashboard?ext=${encodeURIComponent(ext)}` : '/dashboard';
}

renderHeader();
if (session()) $('#sign-in').textContent = 'Open your dashboard';
wireSignIn($('#sign-in'), $('#sign-in-status'), async () => toDashboard());
if (session()) $('#sign-in').onclick = toDashboard;
