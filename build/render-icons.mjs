#!/usr/bin/env node
// Renders build/icon.svg to the PNGs electron-builder uses (it derives .ico/.icns from icon.png):
//   node build/render-icons.mjs   (needs Chromium: CHROMIUM_PATH or /usr/bin/chromium)
import { chromium } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const svg = fs.readFileSync(path.join(here, 'icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
try {
  fs.mkdirSync(path.join(here, 'icons'), { recursive: true });
  for (const size of [512, 256, 128, 64, 32, 16]) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    await page.setContent(
      `<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg style="display:block;width:${size}px;height:${size}px" `)}</body></html>`,
    );
    const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    fs.writeFileSync(path.join(here, 'icons', `${size}x${size}.png`), png);
    if (size === 512) fs.writeFileSync(path.join(here, 'icon.png'), png);
    await page.close();
  }
} finally {
  await browser.close();
}
