// `npm run icons`: renders resources/icon.svg into every icon the packages and the tray need.
// No image package: Debian's Chromium (the one the browser tests use, through playwright-core)
// rasterizes the SVG, and the .ico and .icns containers are written here (both hold PNGs).
// The outputs are committed, so packaging needs neither Chromium nor this script.
//
//   build/icon.png, build/icons/NxN.png   Linux (AppImage, deb) and electron-builder's default
//   build/icon.icns                        macOS (16 … 1024, with @2x)
//   build/icon.ico                         Windows, NSIS (16 … 256)
//   build/tray/…                           tray and badge images, shipped as resources/tray
//
// `node scripts/make-icons.mjs --check` only checks that every output exists at its size.
/* global document -- the page.evaluate callback runs in Chromium */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const SOURCE = 'resources/icon.svg';
const APP_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
// ICNS element types holding PNG data, by pixel size (the @2x types reuse the larger renders).
const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
  ['ic11', 32],
  ['ic12', 64],
  ['ic13', 256],
  ['ic14', 512],
];
/** The plate alone, edge to edge: tray icons have no room for the app icon's margin. */
const TILE = '64 64 896 896';
const TRAY = [
  // Windows and Linux trays: the blue plate, with the dot while something waits.
  { file: 'tray.png', size: 16, viewBox: TILE },
  { file: 'tray@2x.png', size: 32, viewBox: TILE },
  { file: 'tray-attention.png', size: 16, viewBox: TILE, dot: true },
  { file: 'tray-attention@2x.png', size: 32, viewBox: TILE, dot: true },
  // macOS menu bar: template images (black and alpha only; macOS tints them for light and dark).
  { file: 'trayTemplate.png', size: 16, viewBox: TILE, template: true },
  { file: 'trayTemplate@2x.png', size: 32, viewBox: TILE, template: true },
  { file: 'trayAttentionTemplate.png', size: 16, viewBox: TILE, template: true, dot: true },
  { file: 'trayAttentionTemplate@2x.png', size: 32, viewBox: TILE, template: true, dot: true },
  // Windows taskbar overlay (the badge): the dot alone.
  { file: 'overlay-attention.png', size: 16, viewBox: '640 0 384 384', dotOnly: true },
  { file: 'overlay-attention@2x.png', size: 32, viewBox: '640 0 384 384', dotOnly: true },
];

const outputs = () => [
  ...APP_SIZES.map((s) => [join('build', 'icons', `${s}x${s}.png`), s]),
  [join('build', 'icon.png'), 1024],
  ...TRAY.map((t) => [join('build', 'tray', t.file), t.size]),
];

/** Width and height from a PNG's IHDR. */
function pngSize(buffer) {
  if (buffer.length < 24 || buffer.toString('latin1', 1, 4) !== 'PNG') return null;
  return [buffer.readUInt32BE(16), buffer.readUInt32BE(20)];
}

function check() {
  const problems = [];
  for (const [file, size] of outputs()) {
    if (!existsSync(file)) problems.push(`${file} is missing`);
    else if (pngSize(readFileSync(file))?.join('x') !== `${size}x${size}`)
      problems.push(`${file} is not ${size}x${size}`);
  }
  for (const file of ['build/icon.icns', 'build/icon.ico']) if (!existsSync(file)) problems.push(`${file} is missing`);
  if (existsSync('build/icon.icns') && readFileSync('build/icon.icns').toString('latin1', 0, 4) !== 'icns')
    problems.push('build/icon.icns is not an icns file');
  return problems;
}

/** Windows .ico: a directory of PNG images (Vista and later read PNG entries). */
function ico(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(([size, png], i) => {
    const at = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, at); // 0 means 256
    header.writeUInt8(size >= 256 ? 0 : size, at + 1);
    header.writeUInt16LE(1, at + 4); // colour planes
    header.writeUInt16LE(32, at + 6); // bits per pixel
    header.writeUInt32LE(png.length, at + 8);
    header.writeUInt32LE(offset, at + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map(([, png]) => png)]);
}

/** macOS .icns: 'icns', total length, then (type, length, PNG) elements; big-endian. */
function icns(elements) {
  const parts = elements.map(([type, png]) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

async function render() {
  const { chromium } = await import('playwright-core');
  const svg = readFileSync(SOURCE, 'utf8');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage();
    /** One PNG of the SVG at `size` px, with the variant's parts switched. */
    const draw = async (size, variant = {}) => {
      await page.setViewportSize({ width: size, height: size });
      await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
      await page.evaluate(
        ({ size, variant }) => {
          const root = document.querySelector('svg');
          root.setAttribute('width', String(size));
          root.setAttribute('height', String(size));
          if (variant.viewBox) root.setAttribute('viewBox', variant.viewBox);
          const part = (id) => root.querySelector(`#${id}`);
          if (variant.dot || variant.dotOnly) part('dot').removeAttribute('display');
          if (variant.dotOnly) ['tile', 'glyph'].forEach((id) => part(id).setAttribute('display', 'none'));
          if (variant.template) {
            // Template images are read by their alpha alone: a black plate with the plane (and a
            // ring round the dot) cut out of it through a mask, the dot solid black.
            const ns = 'http://www.w3.org/2000/svg';
            const mask = document.createElementNS(ns, 'mask');
            mask.setAttribute('id', 'cut');
            const all = document.createElementNS(ns, 'rect');
            Object.entries({ x: 0, y: 0, width: 1024, height: 1024, fill: '#fff' }).forEach(([k, v]) =>
              all.setAttribute(k, v),
            );
            mask.append(all);
            const plane = part('glyph').cloneNode(true);
            plane.removeAttribute('id');
            plane.setAttribute('fill', '#000');
            mask.append(plane);
            const dot = part('dot').querySelector('circle');
            if (variant.dot) {
              const ring = dot.cloneNode();
              ring.setAttribute('fill', '#000');
              ring.setAttribute('stroke', '#000');
              mask.append(ring);
              dot.setAttribute('fill', '#000');
              dot.setAttribute('stroke', 'none');
            }
            root.prepend(mask);
            part('tile')
              .querySelectorAll('rect')
              .forEach((r) => {
                if (r.getAttribute('fill') === 'none') r.remove();
                else r.setAttribute('fill', '#000');
              });
            part('tile').setAttribute('mask', 'url(#cut)');
            part('glyph').setAttribute('display', 'none');
          }
        },
        { size, variant },
      );
      return page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    };

    mkdirSync(join('build', 'icons'), { recursive: true });
    mkdirSync(join('build', 'tray'), { recursive: true });
    const app = new Map();
    for (const size of APP_SIZES) {
      const png = await draw(size);
      app.set(size, png);
      writeFileSync(join('build', 'icons', `${size}x${size}.png`), png);
    }
    writeFileSync(join('build', 'icon.png'), app.get(1024));
    writeFileSync(join('build', 'icon.ico'), ico(ICO_SIZES.map((s) => [s, app.get(s)])));
    writeFileSync(join('build', 'icon.icns'), icns(ICNS_TYPES.map(([type, s]) => [type, app.get(s)])));
    for (const t of TRAY) writeFileSync(join('build', 'tray', t.file), await draw(t.size, t));
  } finally {
    await browser.close();
  }
}

if (process.argv.includes('--check')) {
  const problems = check();
  if (problems.length) {
    console.error(`Icons are out of date: ${problems.join('; ')}. Run \`npm run icons\`.`);
    process.exit(1);
  }
  console.log('Icons: every size is there.');
} else {
  await render();
  const problems = check();
  if (problems.length) throw new Error(problems.join('; '));
  console.log(`Icons rendered from ${SOURCE} into build/ (app, .ico, .icns, tray).`);
}
