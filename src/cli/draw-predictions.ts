/**
 * `predict --draw DIR`: each input image as a PNG with its predictions drawn on it — detection
 * boxes with "label score" tags in a colour per class, or, for classification runs, the top
 * labels with their scores written in the top-left corner.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Prediction } from '../core/registry/task-registry';
import { decodeImageFile, encodePng, type RawImage } from '../core/data/image/codec';
import { drawLabelledBox, drawTag, type Rgb } from '../core/data/image/draw';
import type { BoxXYWH } from '../core/data/records';

/** Distinct, saturated colours; class k gets PALETTE[k mod length]. */
const PALETTE: Rgb[] = [
  [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48],
  [145, 30, 180], [70, 240, 240], [240, 50, 230], [210, 245, 60], [250, 190, 190],
];

interface DrawnDetection {
  bbox: BoxXYWH;
  label: string;
  score: number;
}

/** A font scale that keeps tags legible on large images and inside small ones. */
const fontScale = (img: RawImage) => Math.max(1, Math.round(Math.min(img.width, img.height) / 320));

const tag = (label: string, score: number) => `${label} ${score.toFixed(2)}`;

/**
 * Draws one prediction on (a copy of) its image. `classes` fixes each label's colour; detections
 * scoring below `minScore` are left out.
 */
export function drawPrediction(image: RawImage, prediction: Prediction, classes: readonly string[], minScore = 0): RawImage {
  const out: RawImage = { ...image, data: image.data.slice() };
  const scale = fontScale(out);
  const colourOf = (label: string) => PALETTE[Math.max(0, classes.indexOf(label)) % PALETTE.length];
  if (Array.isArray(prediction.detections)) {
    // Lowest score first so that the most confident boxes end up on top.
    const detections = (prediction.detections as DrawnDetection[]).filter((d) => d.score >= minScore).sort((a, b) => a.score - b.score);
    for (const d of detections) drawLabelledBox(out, d.bbox, tag(d.label, d.score), colourOf(d.label), scale, scale);
  } else if (Array.isArray(prediction.top)) {
    let y = scale;
    for (const t of prediction.top as { label: string; score: number }[]) y += drawTag(out, scale, y, tag(t.label, t.score), colourOf(t.label), scale).height + scale;
  } else {
    throw new Error(`--draw: the prediction of ${String(prediction.image)} has neither detections nor top labels to draw`);
  }
  return out;
}

/**
 * Writes `<dir>/<image name>.png` for every prediction (numbered when two inputs share a name).
 * @returns the files written.
 */
export function writeDrawnPredictions(dir: string, predictions: readonly Prediction[], classes: readonly string[], minScore = 0): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const used = new Set<string>();
  return predictions.map((prediction) => {
    const file = String(prediction.image);
    const stem = path.basename(file, path.extname(file));
    let name = `${stem}.png`;
    for (let k = 2; used.has(name); k++) name = `${stem}-${k}.png`;
    used.add(name);
    const target = path.join(dir, name);
    fs.writeFileSync(target, encodePng(drawPrediction(decodeImageFile(file), prediction, classes, minScore)));
    return target;
  });
}
