/**
 * `mnist-colour-multilabel`: 64x64 RGB canvases holding 1-5 MNIST digits (ink 18-32 px), each
 * painted in one of six colours on black; a class is a (colour, digit) pair, "red 3", so there are
 * 60 classes and about 2.7 positives per image — the ASL paper's setting of few positives among
 * many negatives. Class frequencies are long-tailed: a drawn digit's class is the class ranked r
 * (1..60) with probability ∝ 1 / r^classSkew (a Zipf law; with the default 1 the most frequent
 * class is drawn 60 times as often as the rarest). The ranking is a fixed shuffle of the classes,
 * part of the dataset's definition and the same for every seed, so that seeds vary the images,
 * not which classes are rare.
 *
 * Colour is only in the class: a digit's position and size are drawn before its colour and
 * independently of it, and each colour's brightness varies (a random factor in [0.6, 1]), so a
 * model has to tell the hue to tell "red 3" from "blue 3". Later digits paint over earlier ones.
 * COCO instances layout with the digits' boxes; train draws from MNIST train, val from MNIST
 * test. `missingLabels` drops labels as in mnist-multilabel (keepLabels: each class present in a
 * training image is dropped with probability R, from its own random stream, pixels unchanged).
 */
import { RawImage } from '../image/codec';
import type { Colour } from './backgrounds';
import { CocoCategory, keepLabels, MISSING_LABELS_OPTION, Scene, writeCocoSplit } from './coco-writer';
import { BuiltinGenerator, BuiltinOptions, SEED_OPTION } from './generator';
import { layoutDigits, LayoutSpec, paintDigit } from './digits';
import { loadMnist, MnistSplit } from './idx';
import { Rng } from './prng';

const LAYOUT: LayoutSpec = { canvas: 64, minDigits: 1, maxDigits: 5, minSize: 18, maxSize: 32, maxOverlap: 0.25 };

/** Six hues far apart in RGB (the corners of the colour cube without black and white). */
export const COLOURS: ReadonlyArray<{ name: string; rgb: Colour }> = [
  { name: 'red', rgb: [255, 0, 0] },
  { name: 'green', rgb: [0, 255, 0] },
  { name: 'blue', rgb: [0, 0, 255] },
  { name: 'yellow', rgb: [255, 255, 0] },
  { name: 'cyan', rgb: [0, 255, 255] },
  { name: 'magenta', rgb: [255, 0, 255] },
];

const MIN_BRIGHTNESS = 0.6;

/** Category k (id k + 1) is colour floor(k / 10) and digit k % 10: "red 0" … "magenta 9". */
export const COLOUR_DIGIT_CATEGORIES: CocoCategory[] = COLOURS.flatMap((colour, c) =>
  Array.from({ length: 10 }, (_, d) => ({ id: c * 10 + d + 1, name: `${colour.name} ${d}`, supercategory: colour.name })),
);

const CLASS_COUNT = COLOUR_DIGIT_CATEGORIES.length;

/** The frequency rank (0 = most frequent) of each class: a shuffle fixed by the dataset, not by the seed. */
function classRanks(): number[] {
  const order = Array.from({ length: CLASS_COUNT }, (_, k) => k);
  const rng = new Rng(0, 'mnist-colour-multilabel:ranks');
  for (let i = CLASS_COUNT - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const rank = new Array<number>(CLASS_COUNT);
  order.forEach((k, r) => (rank[k] = r));
  return rank;
}

/** Each class's probability of being a drawn digit's class: Zipf with exponent `skew` over the fixed ranking. */
export function classProbabilities(skew: number): number[] {
  const weights = classRanks().map((r) => 1 / (r + 1) ** skew);
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/** Index drawn with probability ∝ weights[i]. */
function draw(rng: Rng, weights: readonly number[]): number {
  let u = rng.next() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length - 1; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  return weights.length - 1;
}

/**
 * The class law split into what the layout needs first (the digit, to choose an MNIST image) and
 * what is drawn after it (the colour given the digit); their product is the class law.
 */
interface ClassLaw {
  digit: number[];
  colourGivenDigit: number[][];
}

function classLaw(skew: number): ClassLaw {
  const p = classProbabilities(skew);
  const colourGivenDigit = Array.from({ length: 10 }, (_, d) => COLOURS.map((_, c) => p[c * 10 + d]));
  return { digit: colourGivenDigit.map((row) => row.reduce((a, b) => a + b, 0)), colourGivenDigit };
}

/** The MNIST split with its images grouped by digit. */
interface DigitSource {
  mnist: MnistSplit;
  byDigit: number[][];
}

function digitSource(split: 'train' | 'test'): DigitSource {
  const mnist = loadMnist(split);
  const byDigit: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < mnist.count; i++) byDigit[mnist.labels[i]].push(i);
  return { mnist, byDigit };
}

/** Scene `index` of `split`: the painted canvas and its (colour, digit) objects, some dropped at `missingLabels`. */
function renderColourScene(source: DigitSource, law: ClassLaw, seed: number, split: string, index: number, missingLabels: number): Scene {
  const rng = new Rng(seed, `${split}:${index}`);
  const pick = (r: Rng): number => {
    const pool = source.byDigit[draw(r, law.digit)];
    return pool[r.int(0, pool.length - 1)];
  };
  const digits = layoutDigits(rng, source.mnist, LAYOUT, pick);
  const size = LAYOUT.canvas;
  const data = new Uint8Array(size * size * 3);
  const objects = digits.map((digit) => {
    const c = draw(rng, law.colourGivenDigit[digit.digit]);
    const brightness = rng.uniform(MIN_BRIGHTNESS, 1);
    paintDigit(data, size, digit, COLOURS[c].rgb.map((v) => Math.round(v * brightness)) as Colour);
    return { category: c * 10 + digit.digit, box: digit.box, mnistIndex: digit.mnistIndex };
  });
  const image: RawImage = { width: size, height: size, channels: 3, data };
  return { image, objects: keepLabels(objects, missingLabels, new Rng(seed, `${split}:${index}:drop`)) };
}

export const MNIST_COLOUR_MULTILABEL: BuiltinGenerator = {
  name: 'mnist-colour-multilabel',
  task: 'multilabel',
  format: 'coco',
  description: '64x64 RGB images with 1-5 MNIST digits in 6 colours; 60 long-tailed classes ("red 3", …), ~2.7 positives per image (COCO instances, with boxes)',
  options: {
    trainCount: { default: 12000, min: 1, max: 1_000_000, integer: true, help: 'training images (digits from MNIST train)' },
    valCount: { default: 2000, min: 1, max: 1_000_000, integer: true, help: 'validation images (digits from MNIST test)' },
    missingLabels: MISSING_LABELS_OPTION,
    classSkew: { default: 1, min: 0, max: 3, integer: false, help: 'Zipf exponent of the class frequencies (0: all classes equally frequent)' },
    seed: SEED_OPTION,
  },
  readerOptions: { allowEmpty: true },
  write(root: string, o: BuiltinOptions): void {
    const law = classLaw(o.classSkew);
    const info = { description: 'asl-run built-in mnist-colour-multilabel', seed: o.seed, class_skew: o.classSkew };
    const train = digitSource('train');
    writeCocoSplit(root, 'train', o.trainCount, (i) => renderColourScene(train, law, o.seed, 'train', i, o.missingLabels), { ...info, missing_labels: o.missingLabels }, COLOUR_DIGIT_CATEGORIES);
    const test = digitSource('test');
    writeCocoSplit(root, 'val', o.valCount, (i) => renderColourScene(test, law, o.seed, 'val', i, 0), info, COLOUR_DIGIT_CATEGORIES);
  },
};
