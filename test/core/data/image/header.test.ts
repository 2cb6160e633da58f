/**
 * Image sizes from headers alone, against the size the full decoders report (the oracle) for
 * files the encoders wrote, and against hand-built JPEG headers for what the encoder never writes
 * (metadata segments before the frame, fill bytes, progressive frames).
 */
import * as fs from 'fs';
import * as path from 'path';
import { decodeImage, encodeJpeg, encodePng, ImageDecodeError } from '../../../../src/core/data/image/codec';
import { readImageSize } from '../../../../src/core/data/image/header';
import { makeTmpDir, removeDir } from '../formats/fixtures';

const dir = makeTmpDir('header');
afterAll(() => removeDir(dir));

function write(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

const image = (width: number, height: number, channels: 1 | 3 = 3) => ({
  width, height, channels, data: new Uint8Array(width * height * channels).map((_, i) => (i * 31) % 256),
});

/** A JPEG whose header is SOI, `segments`, then a frame marker `sof` of width x height; no scan data. */
function jpegHeader(segments: number[][], sof: number, width: number, height: number): Uint8Array {
  const frame = [0xff, sof, 0, 11, 8, height >> 8, height & 255, width >> 8, width & 255, 1, 1, 0x11, 0];
  return Uint8Array.from([0xff, 0xd8, ...segments.flat(), ...frame, 0xff, 0xd9]);
}

/** An APPn segment of `payload` bytes (length field counts itself). */
const app = (n: number, payload: number) => [0xff, 0xe0 + n, (payload + 2) >> 8, (payload + 2) & 255, ...new Array<number>(payload).fill(7)];

describe('readImageSize', () => {
  it.each([
    ['rgb.png', encodePng(image(37, 5))],
    ['gray.png', encodePng(image(3, 300, 1))],
    ['small.jpg', encodeJpeg(image(17, 9))],
    ['wide.jpg', encodeJpeg(image(640, 2))],
  ])('reads %s as the decoder does', (name, bytes) => {
    const file = write(name, bytes);
    const decoded = decodeImage(fs.readFileSync(file));
    expect(readImageSize(file)).toEqual({ width: decoded.width, height: decoded.height });
  });

  it('walks JPEG segments of any length, fill bytes and progressive frames to the frame header', () => {
    // An EXIF-sized APP1 (60000 bytes) puts the frame far past any fixed-size prefix read.
    expect(readImageSize(write('exif.jpg', jpegHeader([app(0, 14), app(1, 60000)], 0xc0, 4000, 3000)))).toEqual({ width: 4000, height: 3000 });
    expect(readImageSize(write('fill.jpg', jpegHeader([[0xff, 0xff], app(0, 3)], 0xc2, 300, 7)))).toEqual({ width: 300, height: 7 });
    // DHT (C4) sits in the SOF range but is not a frame: skipped by its length.
    expect(readImageSize(write('dht.jpg', jpegHeader([[0xff, 0xc4, 0, 4, 1, 2]], 0xc1, 65535, 1)))).toEqual({ width: 65535, height: 1 });
  });

  it('names the file for what has no readable size', () => {
    const png = encodePng(image(4, 4));
    const cases: [string, Uint8Array, string][] = [
      ['text.png', Buffer.from('not an image'), 'not a PNG or JPEG file'],
      ['empty.jpg', new Uint8Array(0), 'not a PNG or JPEG file'],
      ['cut.png', png.subarray(0, 20), 'cannot decode image (no valid PNG IHDR header)'],
      ['noframe.jpg', Uint8Array.from([0xff, 0xd8, ...app(0, 4), 0xff, 0xd9]), 'cannot decode image (no valid JPEG frame header)'],
      ['cut.jpg', jpegHeader([app(1, 100)], 0xc0, 8, 8).subarray(0, 50), 'cannot decode image (no valid JPEG frame header)'],
      ['zero.jpg', jpegHeader([], 0xc0, 0, 8), 'cannot decode image (no valid JPEG frame header)'],
    ];
    for (const [name, bytes, problem] of cases) {
      const file = write(name, bytes);
      expect(() => readImageSize(file)).toThrow(new ImageDecodeError(`${file}: ${problem}`));
    }
    const missing = path.join(dir, 'missing.png');
    expect(() => readImageSize(missing)).toThrow(new ImageDecodeError(`${missing}: cannot read image file (ENOENT)`));
  });
});
