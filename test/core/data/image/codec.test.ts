import { decodeImage, encodeJpeg, encodePng, ImageDecodeError } from '../../../../src/core/data/image/codec';

describe('image codec', () => {
  const width = 5;
  const height = 3;
  const rgb = new Uint8Array(width * height * 3).map((_, i) => (i * 7) % 256);

  it('round-trips RGB through PNG exactly', () => {
    const img = decodeImage(encodePng({ width, height, channels: 3, data: rgb }));
    expect([img.width, img.height, img.channels]).toEqual([width, height, 3]);
    expect(Array.from(img.data)).toEqual(Array.from(rgb));
  });

  it('replicates a grayscale PNG into three channels', () => {
    const gray = new Uint8Array(width * height).map((_, i) => i * 13);
    const img = decodeImage(encodePng({ width, height, channels: 1, data: gray }));
    for (let p = 0; p < width * height; p++) {
      expect([img.data[p * 3], img.data[p * 3 + 1], img.data[p * 3 + 2]]).toEqual([gray[p], gray[p], gray[p]]);
    }
  });

  it('decodes JPEG to the right size and close colours', () => {
    const flat = new Uint8Array(16 * 16 * 3).fill(128);
    const img = decodeImage(encodeJpeg({ width: 16, height: 16, channels: 3, data: flat }, 95));
    expect([img.width, img.height]).toEqual([16, 16]);
    expect(Math.max(...Array.from(img.data).map((v) => Math.abs(v - 128)))).toBeLessThanOrEqual(2);
  });

  it('names the source in errors for unknown and corrupt files', () => {
    expect(() => decodeImage(new Uint8Array([1, 2, 3]), 'x.bin')).toThrow(new ImageDecodeError('x.bin: not a PNG or JPEG file'));
    expect(() => decodeImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0]), 'y.png')).toThrow(/^y\.png: cannot decode image/);
  });
});
