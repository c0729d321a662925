// Draws the app icons (a rounded square with 学) into public/.
// The glyph is built from stroke segments rather than a font so the output
// does not depend on which CJK fonts the machine happens to have.
// Run with `npm run icons`; the PNGs are committed.
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { PNG } from 'pngjs'

const BRAND = [0x19, 0x89, 0xfa] // keep in sync with THEME_COLOR in vite.config.ts
const INK = [0xff, 0xff, 0xff]

// 学 on a 100×100 grid, each stroke a segment [x1, y1, x2, y2].
const STROKES = [
  [30, 8, 35, 19], // three dots
  [49, 6, 50, 18],
  [70, 7, 63, 19],
  [16, 29, 84, 29], // 冖
  [16, 29, 16, 40],
  [84, 29, 80, 40],
  [33, 44, 66, 44], // 子
  [66, 44, 51, 56],
  [51, 56, 51, 91],
  [51, 91, 42, 87],
  [13, 67, 87, 67],
]
const STROKE_HALF_WIDTH = 5

function distToSegment(px, py, [x1, y1, x2, y2]) {
  const dx = x2 - x1
  const dy = y2 - y1
  const len2 = dx * dx + dy * dy
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / len2))
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy))
}

// Signed distance to a rounded square of half-size h and corner radius r, centred at 0.
function roundedSquareSdf(px, py, h, r) {
  const qx = Math.abs(px) - h + r
  const qy = Math.abs(py) - h + r
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r
}

const clamp01 = (v) => Math.max(0, Math.min(1, v))

/**
 * @param {number} size output width and height in pixels
 * @param {{ maskable: boolean }} opts maskable icons are full-bleed and keep the
 *   glyph inside the 80% safe zone, since launchers crop them to any shape.
 */
function drawIcon(size, { maskable }) {
  const png = new PNG({ width: size, height: size })
  const half = size / 2
  const glyphBox = size * (maskable ? 0.5 : 0.62)
  const glyphScale = glyphBox / 100
  const glyphOrigin = (size - glyphBox) / 2
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const cx = x + 0.5
      const cy = y + 0.5
      const bg = maskable ? 1 : clamp01(0.5 - roundedSquareSdf(cx - half, cy - half, half, size * 0.22))
      const gx = (cx - glyphOrigin) / glyphScale
      const gy = (cy - glyphOrigin) / glyphScale
      let d = Infinity
      for (const s of STROKES) d = Math.min(d, distToSegment(gx, gy, s))
      const ink = clamp01(0.5 - (d - STROKE_HALF_WIDTH) * glyphScale)
      const i = (y * size + x) * 4
      for (let c = 0; c < 3; c++) png.data[i + c] = Math.round(BRAND[c] * (1 - ink) + INK[c] * ink)
      png.data[i + 3] = Math.round(255 * bg)
    }
  }
  return PNG.sync.write(png)
}

const out = (name) => fileURLToPath(new URL(`../public/${name}`, import.meta.url))
const icons = [
  ['pwa-192x192.png', 192, false],
  ['pwa-512x512.png', 512, false],
  ['maskable-icon-512x512.png', 512, true],
  ['apple-touch-icon-180x180.png', 180, true], // iOS rounds corners itself
  ['favicon-32x32.png', 32, false],
]
for (const [name, size, maskable] of icons) {
  writeFileSync(out(name), drawIcon(size, { maskable }))
  console.log(`wrote public/${name}`)
}
