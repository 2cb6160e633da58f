/**
 * An image file's pixel size from its header alone (PNG IHDR, JPEG SOF), without decoding: the
 * readers check declared sizes (COCO, VOC) against it before training at the cost of a few small
 * reads per image.
 */
import * as fs from 'fs';
import { ImageDecodeError, imageFormatOf, unreadableImage } from './codec';

export interface ImageSize {
  width: number;
  height: number;
}

/** Reads `length` bytes at `position`; fewer at the end of the file. */
function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const n = fs.readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n);
}

/** PNG: the signature, then IHDR first, with width and height as big-endian uint32. */
function pngSize(fd: number): ImageSize | undefined {
  const head = readAt(fd, 0, 24);
  if (head.length < 24 || head.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

/** Start-of-frame markers (C0–CF but DHT C4, JPG C8 and DAC CC) carry precision, height, width. */
const isStartOfFrame = (marker: number): boolean => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/** JPEG: walks the marker segments after SOI by their lengths up to the first SOF. */
function jpegSize(fd: number): ImageSize | undefined {
  let position = 2;
  for (;;) {
    const head = readAt(fd, position, 9);
    if (head.length < 4 || head[0] !== 0xff) return undefined;
    const marker = head[1];
    if (marker === 0xff) {
      position += 1; // fill byte before a marker
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image or scan data before any frame header
    if (isStartOfFrame(marker)) return head.length < 9 ? undefined : { width: head.readUInt16BE(7), height: head.readUInt16BE(5) };
    position += 2 + head.readUInt16BE(2);
  }
}

/** The size of a PNG or JPEG file from its header; an ImageDecodeError naming the file otherwise. */
export function readImageSize(file: string): ImageSize {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw unreadableImage(file, err);
  }
  try {
    const format = imageFormatOf(readAt(fd, 0, 4));
    if (!format) throw new ImageDecodeError(`${file}: not a PNG or JPEG file`);
    const size = format === 'png' ? pngSize(fd) : jpegSize(fd);
    if (!size || size.width === 0 || size.height === 0) {
      throw new ImageDecodeError(`${file}: cannot decode image (no valid ${format === 'png' ? 'PNG IHDR' : 'JPEG frame'} header)`);
    }
    return size;
  } finally {
    fs.closeSync(fd);
  }
}
