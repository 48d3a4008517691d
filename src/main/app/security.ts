import { app, session, shell, type WebContents } from 'electron';

/** The renderer's own URL prefix: the dev server in development, the packaged file otherwise. */
export function rendererUrlPrefix(devServerUrl: string | undefined, indexFile: string): string {
  return devServerUrl ? new URL(devServerUrl).origin + '/' : 'file://' + indexFile;
}

/** Blocks navigation away from the renderer and new windows; external links open in the browser. */
export function lockDownContents(contents: WebContents, isTrustedUrl: (url: string) => boolean): void {
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedUrl(url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

/**
 * No permission prompts or grants for the page (camera, geolocation, notifications…). Desktop
 * notifications come from the main process (src/main/app/notifications.ts, with Approve/Reject
 * buttons); the page's own Web Notifications stay off so nothing is announced twice.
 */
export function denyPermissions(): void {
  void app.whenReady().then(() => {
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, done) => done(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
  });
}
