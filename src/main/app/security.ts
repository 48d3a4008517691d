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

/** No permission prompts (camera, geolocation…) except notifications, which alerts use. */
export function denyPermissions(): void {
  void app.whenReady().then(() => {
    session.defaultSession.setPermissionRequestHandler((_wc, permission, done) => done(permission === 'notifications'));
  });
}
