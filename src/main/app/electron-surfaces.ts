import { join } from 'node:path';
import { app, dialog, Menu, nativeImage, Notification, Tray, type BrowserWindow, type NativeImage } from 'electron';
import type { OperatorDialogs } from './desktop-actions';
import type { NotificationSurface } from './notifications';
import type { TrayHost } from './tray-controller';

// The thin Electron end of the desktop modules: each adapter only forwards to Electron. The
// decisions (what to show, when, what a click does) are in the plain modules and their tests.

/** Images generated from resources/icon.svg by scripts/make-icons.mjs (build/tray, shipped as resources/tray). */
export function trayImages(trayDir: string, platform: NodeJS.Platform) {
  const load = (name: string): NativeImage => {
    const image = nativeImage.createFromPath(join(trayDir, name));
    // macOS template images: black and alpha, tinted by the menu bar for light and dark.
    if (platform === 'darwin') image.setTemplateImage(true);
    return image;
  };
  if (platform === 'darwin')
    return { normal: load('trayTemplate.png'), attention: load('trayAttentionTemplate.png'), overlay: null };
  // Linux panels are 22–32 px and usually scale what they get: hand them the 32 px image.
  const linux = platform === 'linux';
  return {
    normal: load(linux ? 'tray@2x.png' : 'tray.png'),
    attention: load(linux ? 'tray-attention@2x.png' : 'tray-attention.png'),
    overlay: platform === 'win32' ? load('overlay-attention.png') : null,
  };
}

/**
 * The tray icon. Returns null where the system has no tray (Electron throws on some desktops);
 * the app then never hides its window on close, since nothing could bring it back.
 */
export function createTrayHost(
  trayDir: string,
  platform: NodeJS.Platform,
  window: () => BrowserWindow | null,
  onClick: () => void,
): { host: TrayHost; destroy(): void } | null {
  const images = trayImages(trayDir, platform);
  let tray: Tray;
  try {
    tray = new Tray(images.normal);
  } catch {
    return null;
  }
  // Windows: a click opens the window; the menu is on the right button. macOS and Linux
  // (AppIndicator) open the menu on click.
  if (platform === 'win32') tray.on('click', onClick);
  const host: TrayHost = {
    render(view, menu) {
      tray.setImage(view.attention ? images.attention : images.normal);
      tray.setToolTip(view.tooltip);
      if (platform === 'darwin') tray.setTitle(view.title);
      tray.setContextMenu(Menu.buildFromTemplate(menu));
      // Dock badge on macOS, launcher count on Unity-style Linux docks; no-op elsewhere.
      app.setBadgeCount(view.badgeCount);
      if (images.overlay)
        window()?.setOverlayIcon(
          view.badgeCount > 0 ? images.overlay : null,
          view.badgeCount > 0 ? `${view.badgeCount} waiting for you` : '',
        );
    },
  };
  return { host, destroy: () => tray.destroy() };
}

export function notificationSurface(platform: NodeJS.Platform, icon: string | undefined): NotificationSurface {
  return {
    isSupported: () => Notification.isSupported(),
    supportsActions: platform === 'darwin' || platform === 'win32',
    create: (options) => new Notification({ ...(icon ? { icon } : {}), ...options }),
  };
}

/** Native dialogs, over the window when it is visible. Cancel is the default button. */
export function nativeDialogs(window: () => BrowserWindow | null): OperatorDialogs {
  const parent = () => {
    const win = window();
    return win && win.isVisible() ? win : null;
  };
  return {
    async confirm(question) {
      const options = {
        type: 'question' as const,
        title: question.title,
        message: question.message,
        detail: question.detail,
        buttons: [question.confirmLabel, 'Cancel'],
        defaultId: 1,
        cancelId: 1,
        noLink: true,
      };
      const win = parent();
      const { response } = await (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
      return response === 0;
    },
    report(message) {
      const options = { type: 'warning' as const, title: 'Flightdeck', message, buttons: ['OK'] };
      const win = parent();
      void (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
    },
  };
}
