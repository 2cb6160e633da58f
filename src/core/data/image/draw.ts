/**
 * Drawing on an RGB RawImage in place, for `predict --draw`: box outlines and short labels in a
 * built-in 5x7 bitmap font (digits, A–Z with lower case shown as upper case, a few signs).
 * Everything is clipped at the image border.
 */
import type { BoxXYWH } from '../records';
import type { RawImage } from './codec';
import { fillRect } from './resize';

export type Rgb = [number, number, number];

/** Glyph rows top to bottom, '#' = ink. Unknown characters draw as '?'. */
const GLYPHS: Record<string, string> = {
  '0': '.###.|#...#|#..##|#.#.#|##..#|#...#|.###.',
  '1': '..#..|.##..|..#..|..#..|..#..|..#..|.###.',
  '2': '.###.|#...#|....#|...#.|..#..|.#...|#####',
  '3': '#####|...#.|..#..|...#.|....#|#...#|.###.',
  '4': '...#.|..##.|.#.#.|#..#.|#####|...#.|...#.',
  '5': '#####|#....|####.|....#|....#|#...#|.###.',
  '6': '..##.|.#...|#....|####.|#...#|#...#|.###.',
  '7': '#####|....#|...#.|..#..|.#...|.#...|.#...',
  '8': '.###.|#...#|#...#|.###.|#...#|#...#|.###.',
  '9': '.###.|#...#|#...#|.####|....#|...#.|.##..',
  A: '.###.|#...#|#...#|#####|#...#|#...#|#...#',
  B: '####.|#...#|#...#|####.|#...#|#...#|####.',
  C: '.###.|#...#|#....|#....|#....|#...#|.###.',
  D: '###..|#..#.|#...#|#...#|#...#|#..#.|###..',
  E: '#####|#....|#....|####.|#....|#....|#####',
  F: '#####|#....|#....|####.|#....|#....|#....',
  G: '.###.|#...#|#....|#.###|#...#|#...#|.####',
  H: '#...#|#...#|#...#|#####|#...#|#...#|#...#',
  I: '.###.|..#..|..#..|..#..|..#..|..#..|.###.',
  J: '..###|...#.|...#.|...#.|...#.|#..#.|.##..',
  K: '#...#|#..#.|#.#..|##...|#.#..|#..#.|#...#',
  L: '#....|#....|#....|#....|#....|#....|#####',
  M: '#...#|##.##|#.#.#|#.#.#|#...#|#...#|#...#',
  N: '#...#|#...#|##..#|#.#.#|#..##|#...#|#...#',
  O: '.###.|#...#|#...#|#...#|#...#|#...#|.###.',
  P: '####.|#...#|#...#|####.|#....|#....|#....',
  Q: '.###.|#...#|#...#|#...#|#.#.#|#..#.|.##.#',
  R: '####.|#...#|#...#|####.|#.#..|#..#.|#...#',
  S: '.####|#....|#....|.###.|....#|....#|####.',
  T: '#####|..#..|..#..|..#..|..#..|..#..|..#..',
  U: '#...#|#...#|#...#|#...#|#...#|#...#|.###.',
  V: '#...#|#...#|#...#|#...#|#...#|.#.#.|..#..',
  W: '#...#|#...#|#...#|#.#.#|#.#.#|#.#.#|.#.#.',
  X: '#...#|#...#|.#.#.|..#..|.#.#.|#...#|#...#',
  Y: '#...#|#...#|.#.#.|..#..|..#..|..#..|..#..',
  Z: '#####|....#|...#.|..#..|.#...|#....|#####',
  ' ': '.....|.....|.....|.....|.....|.....|.....',
  '.': '.....|.....|.....|.....|.....|.##..|.##..',
  ':': '.....|.##..|.##..|.....|.##..|.##..|.....',
  '-': '.....|.....|.....|.###.|.....|.....|.....',
  _: '.....|.....|.....|.....|.....|.....|#####',
  '%': '##...|##..#|...#.|..#..|.#...|#..##|...##',
  '/': '.....|....#|...#.|..#..|.#...|#....|.....',
  '?': '.###.|#...#|....#|...#.|..#..|.....|..#..',
};

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
/** Horizontal advance per character, in font pixels (glyph plus one column of spacing). */
const ADVANCE = GLYPH_WIDTH + 1;

function assertRgb(img: RawImage, op: string): void {
  if (img.channels !== 3 || img.data.length !== img.width * img.height * 3) {
    throw new Error(`${op}: expected an RGB image, got ${img.width}x${img.height}x${img.channels} with ${img.data.length} bytes`);
  }
}

function glyphOf(char: string): string[] {
  return (GLYPHS[char.toUpperCase()] ?? GLYPHS['?']).split('|');
}

/** Size in image pixels of `text` drawn at integer `scale`. */
export function textSize(text: string, scale = 1): { width: number; height: number } {
  return { width: Math.max(0, text.length * ADVANCE - 1) * scale, height: GLYPH_HEIGHT * scale };
}

/**
 * Outlines a box [x, y, w, h] (rounded to whole pixels) with lines `thickness` pixels wide,
 * drawn inside the box's edges.
 */
export function drawRect(img: RawImage, box: BoxXYWH, color: Rgb, thickness = 1): void {
  assertRgb(img, 'drawRect');
  if (!Number.isInteger(thickness) || thickness < 1) throw new Error(`drawRect: thickness must be a positive integer, got ${thickness}`);
  const x0 = Math.round(box[0]);
  const y0 = Math.round(box[1]);
  const x1 = Math.round(box[0] + box[2]);
  const y1 = Math.round(box[1] + box[3]);
  if (x1 <= x0 || y1 <= y0) return;
  const t = Math.min(thickness, Math.ceil((x1 - x0) / 2), Math.ceil((y1 - y0) / 2));
  const { data, width } = img;
  fillRect(data, width, 3, x0, y0, x1, y0 + t, color); // top
  fillRect(data, width, 3, x0, y1 - t, x1, y1, color); // bottom
  fillRect(data, width, 3, x0, y0, x0 + t, y1, color); // left
  fillRect(data, width, 3, x1 - t, y0, x1, y1, color); // right
}

/** Draws `text` with its top-left corner at (x, y), each font pixel a scale x scale square. */
export function drawText(img: RawImage, x: number, y: number, text: string, color: Rgb, scale = 1): void {
  assertRgb(img, 'drawText');
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`drawText: scale must be a positive integer, got ${scale}`);
  const ox = Math.round(x);
  const oy = Math.round(y);
  for (let k = 0; k < text.length; k++) {
    const rows = glyphOf(text[k]);
    for (let r = 0; r < GLYPH_HEIGHT; r++) {
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        if (rows[r][c] !== '#') continue;
        const px = ox + (k * ADVANCE + c) * scale;
        const py = oy + r * scale;
        fillRect(img.data, img.width, 3, px, py, px + scale, py + scale, color);
      }
    }
  }
}

/**
 * `text` on a filled tag of `color` with its top-left corner at (x, y); the text is black or
 * white, whichever contrasts more. Returns the tag's size.
 */
export function drawTag(img: RawImage, x: number, y: number, text: string, color: Rgb, scale = 1): { width: number; height: number } {
  const size = textSize(text, scale);
  const tag = { width: size.width + 2, height: size.height + 2 };
  const x0 = Math.round(x);
  const y0 = Math.round(y);
  fillRect(img.data, img.width, 3, x0, y0, x0 + tag.width, y0 + tag.height, color);
  const luma = 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2];
  drawText(img, x0 + 1, y0 + 1, text, luma > 127 ? [0, 0, 0] : [255, 255, 255], scale);
  return tag;
}

/** A box outline with `label` on a tag of the box colour, above the box where there is room, else just inside its top edge. */
export function drawLabelledBox(img: RawImage, box: BoxXYWH, label: string, color: Rgb, thickness = 1, scale = 1): void {
  drawRect(img, box, color, thickness);
  const tagHeight = textSize(label, scale).height + 2;
  const top = Math.round(box[1]);
  drawTag(img, box[0], top - tagHeight >= 0 ? top - tagHeight : top, label, color, scale);
}
