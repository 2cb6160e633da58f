import type { RawImage } from '../../../../src/core/data/image/codec';
import { drawLabelledBox, drawRect, drawText, textSize } from '../../../../src/core/data/image/draw';

const blank = (width: number, height: number): RawImage => ({ width, height, channels: 3, data: new Uint8Array(width * height * 3) });

/** Rows of '#' (pixel equals colour) and '.' (anything else), for reading drawings by eye. */
function picture(img: RawImage, color: number[]): string[] {
  return Array.from({ length: img.height }, (_, y) =>
    Array.from({ length: img.width }, (_, x) => {
      const o = (y * img.width + x) * 3;
      return img.data[o] === color[0] && img.data[o + 1] === color[1] && img.data[o + 2] === color[2] ? '#' : '.';
    }).join(''),
  );
}

describe('drawRect', () => {
  it('outlines the box edges only', () => {
    const img = blank(6, 5);
    drawRect(img, [1, 1, 4, 3], [255, 0, 0]);
    expect(picture(img, [255, 0, 0])).toEqual(['......', '.####.', '.#..#.', '.####.', '......']);
  });

  it('draws thick lines inward and clips at the border', () => {
    const img = blank(5, 5);
    drawRect(img, [-2, 0, 6, 5], [0, 255, 0], 2); // spans x -2..4: the left edge is off-image, the right is columns 2-3
    expect(picture(img, [0, 255, 0])).toEqual(['####.', '####.', '..##.', '####.', '####.']);
  });
});

describe('drawText', () => {
  it('draws the 5x7 glyph of "1" at its position, and lower case as upper case', () => {
    const img = blank(7, 9);
    drawText(img, 1, 1, '1', [255, 255, 255]);
    expect(picture(img, [255, 255, 255])).toEqual([
      '.......',
      '...#...',
      '..##...',
      '...#...',
      '...#...',
      '...#...',
      '...#...',
      '..###..',
      '.......',
    ]);
    const upper = blank(11, 7);
    const lower = blank(11, 7);
    drawText(upper, 0, 0, 'AB', [9, 9, 9]);
    drawText(lower, 0, 0, 'ab', [9, 9, 9]);
    expect(Array.from(lower.data)).toEqual(Array.from(upper.data));
  });

  it('scales glyph pixels to squares and reports the text size', () => {
    const img = blank(10, 14);
    drawText(img, 0, 0, '-', [1, 2, 3], 2);
    // '-' is ink at row 3, columns 1..3 → rows 6–7, columns 2–7 at scale 2.
    const rows = picture(img, [1, 2, 3]);
    expect(rows[6]).toBe('..######..');
    expect(rows[7]).toBe('..######..');
    expect(rows.filter((r) => r.includes('#')).length).toBe(2);
    expect(textSize('ab1', 2)).toEqual({ width: (3 * 6 - 1) * 2, height: 14 });
  });

  it('clips text that runs off the image', () => {
    const img = blank(4, 4);
    expect(() => drawText(img, 2, -3, 'XYZ', [1, 1, 1])).not.toThrow();
  });
});

describe('drawLabelledBox', () => {
  it('puts a tag above the box when there is room', () => {
    const img = blank(20, 20);
    drawLabelledBox(img, [2, 10, 10, 6], 'A', [255, 255, 0]);
    const rows = picture(img, [255, 255, 0]);
    // Tag: (5 + 2) x (7 + 2) pixels ending right above the box top (rows 1..9).
    expect(rows[1].slice(2, 9)).toBe('#######');
    expect(rows[0]).toBe('.'.repeat(20));
    // Black text on the bright tag: the top row of 'A' one pixel inside the tag.
    const black = picture(img, [0, 0, 0]);
    expect(black[2].slice(3, 8)).toBe('.###.');
  });
});
