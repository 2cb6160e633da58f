/**
 * `mnist-detection`: 128x128 RGB scenes of 1-5 MNIST digits (ink 16-56 px on the longer side,
 * boxes overlapping by at most a quarter of the smaller one) painted in random colours, contrasting
 * with the background under them, over textured backgrounds. Boxes are the tight bounds of each
 * digit's ink (alpha >= INK_THRESHOLD; fainter pixels are cleared, so no paint lies outside the
 * boxes). Later digits paint over earlier ones. COCO instances layout, categories "0".."9".
 */
import { RawImage } from '../image/codec';
import { DIGIT_CATEGORIES, digitObject, Scene, writeCocoSplit } from './coco-writer';
import { BuiltinGenerator, BuiltinOptions, SEED_OPTION } from './generator';
import { Colour, randomColour, texturedBackground } from './backgrounds';
import { layoutDigits, LayoutSpec, paintDigit, PlacedDigit } from './digits';
import { loadMnist, MnistSplit } from './idx';
import { Rng } from './prng';

const LAYOUT: LayoutSpec = { canvas: 128, minDigits: 1, maxDigits: 5, minSize: 16, maxSize: 56, maxOverlap: 0.25 };

/** Smallest distance (RGB, 0..441) wanted between a digit's colour and the mean background under it. */
const MIN_CONTRAST = 120;
const COLOUR_TRIES = 20;

function meanColour(rgb: Uint8Array, size: number, box: PlacedDigit['box']): Colour {
  const sum: Colour = [0, 0, 0];
  for (let y = box[1]; y < box[1] + box[3]; y++) {
    for (let x = box[0]; x < box[0] + box[2]; x++) for (let c = 0; c < 3; c++) sum[c] += rgb[(y * size + x) * 3 + c];
  }
  return sum.map((s) => s / (box[2] * box[3])) as Colour;
}

/** A random colour at least MIN_CONTRAST from `under` (else the farthest of the tries). */
function contrastingColour(rng: Rng, under: Colour): Colour {
  let best: Colour = [0, 0, 0];
  let bestDistance = -1;
  for (let k = 0; k < COLOUR_TRIES && bestDistance < MIN_CONTRAST; k++) {
    const colour = randomColour(rng);
    const distance = Math.hypot(colour[0] - under[0], colour[1] - under[1], colour[2] - under[2]);
    if (distance > bestDistance) [best, bestDistance] = [colour, distance];
  }
  return best;
}

export interface DetectionScene {
  image: RawImage;
  background: Uint8Array;
  digits: PlacedDigit[];
  colours: Colour[];
}

/** Scene `index` of `split`: background, digits and their colours, and the painted image. */
export function renderDetectionScene(mnist: MnistSplit, seed: number, split: string, index: number): DetectionScene {
  const rng = new Rng(seed, `${split}:${index}`);
  const size = LAYOUT.canvas;
  const background = texturedBackground(rng, size);
  const digits = layoutDigits(rng, mnist, LAYOUT);
  const data = background.slice();
  const colours = digits.map((digit) => {
    const colour = contrastingColour(rng, meanColour(background, size, digit.box));
    paintDigit(data, size, digit, colour);
    return colour;
  });
  return { image: { width: size, height: size, channels: 3, data }, background, digits, colours };
}

function toScene(scene: DetectionScene): Scene {
  return { image: scene.image, objects: scene.digits.map(digitObject) };
}

export const MNIST_DETECTION: BuiltinGenerator = {
  name: 'mnist-detection',
  task: 'detection',
  format: 'coco',
  description: '128x128 RGB scenes of 1-5 coloured MNIST digits on textured backgrounds (COCO instances)',
  options: {
    trainCount: { default: 6000, min: 1, max: 1_000_000, integer: true, help: 'training images (digits from MNIST train)' },
    valCount: { default: 1000, min: 1, max: 1_000_000, integer: true, help: 'validation images (digits from MNIST test)' },
    seed: SEED_OPTION,
  },
  readerOptions: {},
  write(root: string, o: BuiltinOptions): void {
    const info = { description: 'asl-run built-in mnist-detection', seed: o.seed };
    const train = loadMnist('train');
    writeCocoSplit(root, 'train', o.trainCount, (i) => toScene(renderDetectionScene(train, o.seed, 'train', i)), info, DIGIT_CATEGORIES);
    const test = loadMnist('test');
    writeCocoSplit(root, 'val', o.valCount, (i) => toScene(renderDetectionScene(test, o.seed, 'val', i)), info, DIGIT_CATEGORIES);
  },
};
