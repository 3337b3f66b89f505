import { Menu, Tray, nativeImage } from 'electron';
import fs from 'node:fs';

/** The tray entry that keeps a hidden window reachable while campaigns send in the background. */
export function createTray(icon: string, actions: { show(): void; quit(): void }): Tray {
  const image = fs.existsSync(icon)
    ? nativeImage.createFromPath(icon).resize({ width: 16, height: 16 })
    : nativeImage.createEmpty();
  const tray = new Tray(image);
  tray.setToolTip('SMS Desk: sending in the background');
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Show SMS Desk', click: actions.show },
      { type: 'separator' },
      { label: 'Quit (sending resumes next time)', click: actions.quit },
    ]),
  );
  tray.on('click', actions.show);
  return tray;
}
