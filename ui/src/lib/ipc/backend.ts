// Picks the backend: Tauri's IPC in the app, the in-memory fake in `vite` dev outside Tauri.

import type { Backend } from './types';

export async function loadBackend(): Promise<Backend> {
  // Outside Tauri in dev only (plain `vite` in a browser), use the in-memory fake so the UI can
  // be developed and screenshotted without the Rust side. `import.meta.env.DEV` is a literal
  // `false` in production builds, so the bundler drops this branch and the fake's chunk.
  if (import.meta.env.DEV && !('__TAURI_INTERNALS__' in window)) {
    const { createFakeBackend } = await import('./dev-fake');
    return createFakeBackend();
  }
  const [{ invoke }, { listen }] = await Promise.all([
    import('@tauri-apps/api/core'),
    import('@tauri-apps/api/event'),
  ]);
  return {
    invoke: (cmd, args) => invoke(cmd, args),
    listen: (event, handler) => listen(event, (e) => handler(e.payload as never)),
  };
}
