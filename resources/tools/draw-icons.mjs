/**
 * Draws Keygate's icons (app icon and tray icons) as PNGs with nothing but Node: signed-distance shapes,
 * 4×4 supersampling for clean edges, zlib for the PNG stream. Run `node resources/tools/draw-icons.mjs`
 * after changing a shape or colour; the PNGs it writes are committed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';

const root = join(import.meta.dirname, '..');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes straight (non-premultiplied) RGBA pixels as a PNG. */
function encodePng(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Shapes in unit coordinates (0..1, y down); each answers whether a point is inside.
const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const rect = (x0, y0, x1, y1) => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
function roundedSquare(inset, radius) {
  const lo = inset + radius;
  const hi = 1 - inset - radius;
  return (x, y) => {
    const dx = Math.max(lo - x, 0, x - hi);
    const dy = Math.max(lo - y, 0, y - hi);
    return x >= inset && x <= 1 - inset && y >= inset && y <= 1 - inset && dx * dx + dy * dy <= radius * radius;
  };
}

/** A key lying on its side: a ring bow, a shaft and two teeth. `bold` thickens it for 16 px tray icons. */
function keyGlyph({ scale, bold }) {
  const s = (v) => 0.5 + (v - 0.5) * scale;
  const ringOuter = (bold ? 0.25 : 0.2) * scale;
  const ringInner = (bold ? 0.1 : 0.09) * scale;
  const half = (bold ? 0.085 : 0.05) * scale;
  const cx = s(bold ? 0.3 : 0.32);
  const ring = circle(cx, 0.5, ringOuter);
  const hole = circle(cx, 0.5, ringInner);
  const shaft = rect(cx + ringOuter * 0.8, 0.5 - half, s(0.9), 0.5 + half);
  const tooth1 = rect(s(bold ? 0.62 : 0.66), 0.5, s(bold ? 0.72 : 0.73), 0.5 + half + (bold ? 0.12 : 0.11) * scale);
  const tooth2 = rect(s(bold ? 0.8 : 0.8), 0.5, s(0.9), 0.5 + half + (bold ? 0.17 : 0.16) * scale);
  return (x, y) => (ring(x, y) && !hole(x, y)) || shaft(x, y) || tooth1(x, y) || tooth2(x, y);
}

/** Paints layers (shape + colour, later on top) at `size` px with 4×4 supersampling. */
function render(size, layers) {
  const out = Buffer.alloc(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) / size;
          const y = (py + (sy + 0.5) / n) / size;
          let colour = null;
          for (const layer of layers) if (layer.shape(x, y)) colour = typeof layer.colour === 'function' ? layer.colour(x, y) : layer.colour;
          if (!colour) continue;
          const alpha = colour[3] ?? 1;
          r += colour[0] * alpha; g += colour[1] * alpha; b += colour[2] * alpha; a += alpha;
        }
      }
      const i = (py * size + px) * 4;
      const samples = n * n;
      out[i] = a ? Math.round(r / a) : 0;
      out[i + 1] = a ? Math.round(g / a) : 0;
      out[i + 2] = a ? Math.round(b / a) : 0;
      out[i + 3] = Math.round((a / samples) * 255);
    }
  }
  return out;
}

const INDIGO_TOP = [99, 102, 241];
const INDIGO_BOTTOM = [67, 56, 202];
const GREY = [128, 134, 145];
const WHITE = [255, 255, 255];
const BLACK = [0, 0, 0];
const gradient = (x, y) => INDIGO_TOP.map((top, i) => Math.round(top + (INDIGO_BOTTOM[i] - top) * y));

function write(relative, size, layers) {
  const file = join(root, relative);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, encodePng(size, render(size, layers)));
  console.log(`wrote ${relative} (${size}×${size})`);
}

const appIcon = [
  { shape: roundedSquare(0.06, 0.2), colour: gradient },
  { shape: keyGlyph({ scale: 0.72, bold: false }), colour: WHITE },
];
write('icon.png', 512, appIcon);
write('icons/512x512.png', 512, appIcon);
write('icons/256x256.png', 256, appIcon);

// Tray, coloured (Windows, Linux): indigo badge while serving, grey when stopped.
for (const [state, badge] of [['running', gradient], ['stopped', GREY]]) {
  const layers = [
    { shape: roundedSquare(0.02, 0.22), colour: badge },
    { shape: keyGlyph({ scale: 0.86, bold: true }), colour: WHITE },
  ];
  write(`tray/${state}.png`, 16, layers);
  write(`tray/${state}@2x.png`, 32, layers);
}

// Tray, macOS template images: black + alpha only; macOS tints them for light and dark menu bars.
// A stopped proxy shows the key dimmed, the platform's convention for "inactive".
for (const [state, alpha] of [['running', 1], ['stopped', 0.4]]) {
  const layers = [{ shape: keyGlyph({ scale: 1, bold: true }), colour: [...BLACK, alpha] }];
  write(`tray/${state}Template.png`, 16, layers);
  write(`tray/${state}Template@2x.png`, 32, layers);
}
