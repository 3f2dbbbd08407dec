// Classic content script: MV3 cannot declare module content scripts, so this
// loads the ES-module entry point from the extension's web-accessible files.
(async () => {
  if (globalThis.__liftledgerLoaded) return;
  globalThis.__liftledgerLoaded = true;
  const { start } = await import(chrome.runtime.getURL('content/main.js'));
  await start();
})();
