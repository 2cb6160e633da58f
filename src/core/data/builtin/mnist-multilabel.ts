/**
 * `mnist-multilabel`: 64x64 grayscale canvases holding 1-4 MNIST digits (ink 20-36 px on the longer
 * side, boxes overlapping by at most a quarter of the smaller one; digits are combined by maximum,
 * so overlapping strokes stay visible). Labels = the set of digits present. COCO instances layout
 * with the digits' boxes, so the set also serves detection. Train draws from MNIST train, val from
 * MNIST test.
 *
 * `missingLabels` R (train only) simulates partial annotation: for each image, each digit class
 * present is dropped with probability R, i.e. all its annotations in that image are removed (the
 * pixels stay). An image that loses every label is kept with no annotations; read it with
 * `allowEmpty` (this generator's readerOptions) as a record with an empty label set. The drops use
 * their own random stream, so the images are the same for every R.
 */
import { RawImage } from '../image/codec';
import { DIGIT_CATEGORIES, digitObject, keepLabels, MISSING_LABELS_OPTION, Scene, writeCocoSplit } from './coco-writer';
import { BuiltinGenerator, BuiltinOptions, SEED_OPTION } from './generator';
import { layoutDigits, LayoutSpec, PlacedDigit } from './digits';
import { loadMnist, MnistSplit } from './idx';
import { Rng } from './prng';

const LAYOUT: LayoutSpec = { canvas: 64, minDigits: 1, maxDigits: 4, minSize: 20, maxSize: 36, maxOverlap: 0.25 };

/** Draws the digits on a black 64x64 gray canvas, combining overlaps by maximum. */
export function drawGray(digits: PlacedDigit[], size: number): RawImage {
  const data = new Uint8Array(size * size);
  for (const { sprite, box } of digits) {
    for (let y = 0; y < sprite.height; y++) {
      for (let x = 0; x < sprite.width; x++) {
        const p = (box[1] + y) * size + box[0] + x;
        data[p] = Math.max(data[p], sprite.alpha[y * sprite.width + x]);
      }
    }
  }
  return { width: size, height: size, channels: 1, data };
}

function renderScene(mnist: MnistSplit, seed: number, split: string, index: number, missingLabels: number): Scene {
  const digits = layoutDigits(new Rng(seed, `${split}:${index}`), mnist, LAYOUT);
  return {
    image: drawGray(digits, LAYOUT.canvas),
    objects: keepLabels(digits.map(digitObject), missingLabels, new Rng(seed, `${split}:${index}:drop`)),
  };
}

export const MNIST_MULTILABEL: BuiltinGenerator = {
  name: 'mnist-multilabel',
  task: 'multilabel',
  format: 'coco',
  description: '64x64 gray images with 1-4 MNIST digits; labels = digits present (COCO instances, with boxes)',
  options: {
    trainCount: { default: 12000, min: 1, max: 1_000_000, integer: true, help: 'training images (digits from MNIST train)' },
    valCount: { default: 2000, min: 1, max: 1_000_000, integer: true, help: 'validation images (digits from MNIST test)' },
    missingLabels: MISSING_LABELS_OPTION,
    seed: SEED_OPTION,
  },
  readerOptions: { allowEmpty: true },
  write(root: string, o: BuiltinOptions): void {
    const info = { description: 'asl-run built-in mnist-multilabel', seed: o.seed };
    const train = loadMnist('train');
    writeCocoSplit(root, 'train', o.trainCount, (i) => renderScene(train, o.seed, 'train', i, o.missingLabels), { ...info, missing_labels: o.missingLabels }, DIGIT_CATEGORIES);
    const test = loadMnist('test');
    writeCocoSplit(root, 'val', o.valCount, (i) => renderScene(test, o.seed, 'val', i, 0), info, DIGIT_CATEGORIES);
  },
};
