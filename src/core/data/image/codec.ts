/**
 * Image decoding and encoding on plain typed arrays (no tensors): PNG via pngjs, JPEG via jpeg-js.
 * Every decoded image is returned as interleaved RGB uint8, whatever the file held
 * (grayscale, grayscale+alpha, RGB, RGBA, palette, 16-bit): alpha is dropped, gray is replicated.
 */
import * as fs from 'fs';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';

/** An interleaved HWC uint8 image. `channels` is 1 (gray) or 3 (RGB). */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

export class ImageDecodeError extends Error {}

/** The error for an image file that cannot be read at all (missing, unreadable), naming it. */
export function unreadableImage(file: string, err: unknown): ImageDecodeError {
  return new ImageDecodeError(`${file}: cannot read image file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

function startsWith(buf: Uint8Array, magic: number[]): boolean {
  return buf.length >= magic.length && magic.every((b, i) => buf[i] === b);
}

/** The format of image bytes by magic number (not by file name); undefined for neither. */
export function imageFormatOf(bytes: Uint8Array): 'png' | 'jpeg' | undefined {
  if (startsWith(bytes, PNG_MAGIC)) return 'png';
  if (startsWith(bytes, JPEG_MAGIC)) return 'jpeg';
  return undefined;
}

/** RGBA (4 bytes per pixel) → RGB, dropping alpha. */
function rgbaToRgb(rgba: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; p < width * height; p++, q += 4) {
    out[p * 3] = rgba[q];
    out[p * 3 + 1] = rgba[q + 1];
    out[p * 3 + 2] = rgba[q + 2];
  }
  return out;
}

/**
 * Decodes PNG or JPEG bytes (detected by magic number, not by file name) into RGB.
 * @param source named in the error message (usually the file path).
 */
export function decodeImage(bytes: Uint8Array, source = 'image'): RawImage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    const format = imageFormatOf(bytes);
    if (format === 'png') {
      // pngjs normalises every colour type and bit depth to 8-bit RGBA.
      const png = PNG.sync.read(buf);
      return { width: png.width, height: png.height, channels: 3, data: rgbaToRgb(png.data, png.width, png.height) };
    }
    if (format === 'jpeg') {
      const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { width: img.width, height: img.height, channels: 3, data: rgbaToRgb(img.data, img.width, img.height) };
    }
  } catch (err) {
    throw new ImageDecodeError(`${source}: cannot decode image (${(err as Error).message})`);
  }
  throw new ImageDecodeError(`${source}: not a PNG or JPEG file`);
}

/** Reads and decodes an image file; an ImageDecodeError naming it when it cannot be read or decoded. */
export function decodeImageFile(file: string): RawImage {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw unreadableImage(file, err);
  }
  return decodeImage(bytes, file);
}

/** Encodes an RGB or gray uint8 image as PNG bytes. */
export function encodePng(image: RawImage): Buffer {
  const { width, height, channels, data } = image;
  if (data.length !== width * height * channels) {
    throw new Error(`encodePng: data has ${data.length} bytes, expected ${width}x${height}x${channels}`);
  }
  // A plain { width, height, data } rather than a `new PNG()`: each PNG is a stream whose buffers
  // outlive it, so encoding many images (MNIST's 70000) would hold gigabytes (docs/results.md).
  const png = { width, height, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) } as unknown as PNG;
  return PNG.sync.write(png, { colorType: channels === 1 ? 0 : 2, inputColorType: channels === 1 ? 0 : 2, inputHasAlpha: false });
}

/** Encodes an RGB or gray uint8 image as baseline JPEG bytes. */
export function encodeJpeg(image: RawImage, quality = 90): Buffer {
  const { width, height, channels, data } = image;
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = data[p * channels + (channels === 1 ? 0 : c)];
    rgba[p * 4 + 3] = 255;
  }
  return jpeg.encode({ data: rgba, width, height }, quality).data;
}
