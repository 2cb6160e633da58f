import { cocoEvaluate } from '../../../src/core/metrics/coco-eval';
import {
  COCO_IOU_THRESHOLDS,
  COCO_RECALL_THRESHOLDS,
  CocoAnnotation,
  CocoDataset,
  CocoDetection,
  namedCocoStats,
} from '../../../src/core/metrics/coco-types';
import { readFixture } from '../../fixtures/read-fixture';

interface FixtureCase {
  id: string;
  gt: CocoDataset;
  dt: CocoDetection[];
  stats: number[];
  per_category_ap: Record<string, number>;
}
const fixture = readFixture('cocoeval_reference.json');
const cases: FixtureCase[] = fixture.cases;

/** One large (area 10000) regular ground-truth box. */
function gtBox(id: number, imageId: number, categoryId: number, x: number, y: number, extra: Partial<CocoAnnotation> = {}): CocoAnnotation {
  return { id, image_id: imageId, category_id: categoryId, bbox: [x, y, 100, 100], area: 10000, iscrowd: 0, ...extra };
}

function dataset(imageIds: number[], categoryIds: number[], annotations: CocoAnnotation[]): CocoDataset {
  return { images: imageIds.map((id) => ({ id })), categories: categoryIds.map((id) => ({ id })), annotations };
}

describe('cocoEvaluate against pycocotools', () => {
  it('uses the linspace thresholds of pycocotools Params', () => {
    expect(COCO_IOU_THRESHOLDS).toEqual(fixture.meta.params.iouThrs);
    expect(COCO_RECALL_THRESHOLDS).toEqual(fixture.meta.params.recThrs);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s: 12 stats and per-category AP equal the reference', (_id, c) => {
    const r = cocoEvaluate(c.gt, c.dt);
    r.stats.forEach((s, i) => expect(Math.abs(s - c.stats[i])).toBeLessThanOrEqual(1e-12));
    expect(Object.keys(r.perCategoryAP).sort()).toEqual(Object.keys(c.per_category_ap).sort());
    for (const [cat, ap] of Object.entries(c.per_category_ap)) expect(Math.abs(r.perCategoryAP[cat] - ap)).toBeLessThanOrEqual(1e-12);
  });

  it('is bit-exact on every fixture case (pairwise-summed means)', () => {
    for (const c of cases) {
      const r = cocoEvaluate(c.gt, c.dt);
      expect(r.stats).toEqual(c.stats);
      expect(r.perCategoryAP).toEqual(c.per_category_ap);
    }
  });

  it('does not depend on the order of the detection list when scores are distinct', () => {
    const c = cases.find((x) => x.id === 'b_multi_class_multi_image')!;
    expect(cocoEvaluate(c.gt, [...c.dt].reverse()).stats).toEqual(c.stats);
  });
});

describe('cocoEvaluate hand-checked cases', () => {
  // Two images, two categories, two large gts per category (so that the first-ranked TP's
  // 1 / (1 + 2^-52) is lifted to 1 by the precision envelope).
  const gt = dataset(
    [1, 2],
    [3, 7],
    [gtBox(1, 1, 3, 0, 0), gtBox(2, 2, 3, 200, 0), gtBox(3, 1, 7, 0, 200), gtBox(4, 2, 7, 200, 200)],
  );
  const perfect: CocoDetection[] = gt.annotations.map((a, i) => ({ image_id: a.image_id, category_id: a.category_id, bbox: a.bbox, score: 0.9 - i / 10 }));

  it('gives a perfect detector 1 and -1 for the empty size ranges', () => {
    const r = cocoEvaluate(gt, perfect);
    expect(r.stats).toEqual([1, 1, 1, -1, -1, 1, 1, 1, 1, -1, -1, 1]);
    expect(r.perCategoryAP).toEqual({ '3': 1, '7': 1 });
    expect(namedCocoStats(r.stats)).toMatchObject({ AP: 1, APs: -1, AR1: 1, ARl: 1 });
  });

  it('overwrites a gt "ignore" field with iscrowd, as pycocotools does', () => {
    const flagged = { ...gt, annotations: gt.annotations.map((a) => ({ ...a, ignore: 1 })) };
    expect(cocoEvaluate(flagged, perfect)).toEqual(cocoEvaluate(gt, perfect));
  });

  it('gives 0 (and -1 where no gt is in range) for an empty detection list', () => {
    const r = cocoEvaluate(gt, []);
    expect(r.stats).toEqual([0, 0, 0, -1, -1, 0, 0, 0, 0, -1, -1, 0]);
    expect(r.perCategoryAP).toEqual({ '3': 0, '7': 0 });
  });

  it('lets a crowd region absorb detections instead of counting them as false positives', () => {
    const annotations = [gtBox(1, 1, 1, 0, 0), { ...gtBox(2, 1, 1, 300, 300), bbox: [300, 300, 200, 200] as [number, number, number, number], iscrowd: 1 as const }];
    const dets: CocoDetection[] = [
      { image_id: 1, category_id: 1, bbox: [310, 310, 20, 20], score: 0.95 },
      { image_id: 1, category_id: 1, bbox: [350, 350, 40, 40], score: 0.94 },
      { image_id: 1, category_id: 1, bbox: [400, 320, 30, 60], score: 0.93 },
      { image_id: 1, category_id: 1, bbox: [0, 0, 100, 100], score: 0.9 },
    ];
    const withCrowd = cocoEvaluate(dataset([1], [1], annotations), dets);
    // The single TP ranks first among counted detections: precision 1 / (1 + 2^-52) at recall 1.
    expect(withCrowd.stats[0]).toBeCloseTo(1 - 2 ** -52, 15);
    expect(withCrowd.stats[8]).toBe(1);
    // Without the crowd region the three boxes are false positives ranked above the TP.
    const withoutCrowd = cocoEvaluate(dataset([1], [1], [annotations[0]]), dets);
    expect(withoutCrowd.stats[0]).toBe(0.25);
  });

  it('uses the gt area field for the size ranges and ignores out-of-range unmatched detections', () => {
    // The box is 100 x 100 but its area field says small; a small-range evaluation counts it.
    const small = dataset([1], [1], [gtBox(1, 1, 1, 0, 0, { area: 500 })]);
    const r = cocoEvaluate(small, [
      { image_id: 1, category_id: 1, bbox: [0, 0, 100, 100], score: 0.9 },
      { image_id: 1, category_id: 1, bbox: [500, 500, 100, 100], score: 0.95 }, // large FP: ignored for small
    ]);
    const named = namedCocoStats(r.stats);
    expect(named).toMatchObject({ APm: -1, APl: -1, ARs: 1 });
    expect(named.APs).toBeCloseTo(1, 15); // the TP is first among the counted detections
    expect(r.stats[0]).toBe(0.5); // area all: the FP counts
  });

  it('keeps only the 100 highest-scored detections per image and category', () => {
    const one = dataset([1], [1], [gtBox(1, 1, 1, 0, 0)]);
    const falsePositives = (n: number): CocoDetection[] =>
      Array.from({ length: n }, (_, i) => ({ image_id: 1, category_id: 1, bbox: [1000 + i, 1000, 100, 100], score: 0.9 }));
    const tp: CocoDetection = { image_id: 1, category_id: 1, bbox: [0, 0, 100, 100], score: 0.1 };
    // 99 FPs: the TP is 100th, precision 1/100 at recall 1; 100 FPs: the TP is cut off.
    cocoEvaluate(one, [...falsePositives(99), tp]).stats.slice(0, 3).forEach((s) => expect(s).toBeCloseTo(0.01, 15));
    expect(cocoEvaluate(one, [...falsePositives(100), tp]).stats).toEqual([0, 0, 0, -1, -1, 0, 0, 0, 0, -1, -1, 0]);
  });

  it('orders equal scores of different images by ascending image id', () => {
    const twoImages = dataset([1, 2], [1], [gtBox(1, 1, 1, 0, 0), gtBox(2, 2, 1, 0, 0)]);
    const hit = (imageId: number): CocoDetection => ({ image_id: imageId, category_id: 1, bbox: [0, 0, 100, 100], score: 0.5 });
    const miss = (imageId: number): CocoDetection => ({ image_id: imageId, category_id: 1, bbox: [300, 300, 100, 100], score: 0.5 });
    // TP ranked first: precision 1 / (1 + 2^-52) up to recall 0.5 (51 of 101 recall points).
    const tpFirst = cocoEvaluate(twoImages, [miss(2), hit(1)]).stats[0];
    expect(tpFirst).toBeCloseTo((51 * (1 / (1 + 2 ** -52))) / 101, 15);
    // FP ranked first: the envelope gives 0.5 up to recall 0.5.
    expect(cocoEvaluate(twoImages, [hit(2), miss(1)]).stats[0]).toBe((51 * 0.5) / 101);
  });

  it('reports -1 for a category without ground truth and leaves it out of the means', () => {
    const withExtra = { ...gt, categories: [...gt.categories, { id: 9 }] };
    const strays: CocoDetection[] = [{ image_id: 1, category_id: 9, bbox: [0, 0, 100, 100], score: 0.99 }];
    const r = cocoEvaluate(withExtra, [...perfect, ...strays]);
    expect(r.perCategoryAP['9']).toBe(-1);
    expect(r.stats).toEqual(cocoEvaluate(gt, perfect).stats);
  });

  it('restricts evaluation to options.imgIds like a gt without the other images', () => {
    const r = cocoEvaluate(gt, perfect.slice(0, 1), { imgIds: [1] });
    const only1 = dataset([1], [3, 7], gt.annotations.filter((a) => a.image_id === 1));
    expect(r).toEqual(cocoEvaluate(only1, perfect.slice(0, 1)));
    expect(r.perCategoryAP['7']).toBe(0);
  });
});

describe('cocoEvaluate input validation', () => {
  const gt = dataset([1], [1], [gtBox(5, 1, 1, 0, 0)]);
  const det = (over: Partial<CocoDetection> | Record<string, unknown>) =>
    [{ image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], score: 0.5 }, { image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], score: 0.5, ...over }] as CocoDetection[];

  it.each([
    [{ bbox: [0, 0, -1, 1] }, 'detections[1]: bbox must be [x,y,w,h] with w,h >= 0, got [0,0,-1,1]'],
    [{ bbox: [0, 0, 1] }, 'detections[1]: bbox must be [x,y,w,h]'],
    [{ image_id: 9 }, 'detections[1]: image_id 9 is not in gt.images'],
    [{ category_id: 4 }, 'detections[1]: category_id 4 is not in gt.categories'],
    [{ score: Number.NaN }, 'detections[1]: score must be a finite number'],
  ])('rejects a bad detection %j', (over, message) => {
    expect(() => cocoEvaluate(gt, det(over))).toThrow(message);
  });

  it('rejects bad ground truth', () => {
    expect(() => cocoEvaluate(dataset([1, 1], [1], []), [])).toThrow('gt.images[1]: duplicate id 1');
    expect(() => cocoEvaluate(dataset([1], [1], [gtBox(0, 1, 1, 0, 0)]), [])).toThrow('gt.annotations[0]: id must be non-zero');
    expect(() => cocoEvaluate(dataset([1], [1], [gtBox(1, 2, 1, 0, 0)]), [])).toThrow('gt.annotations[0]: image_id 2 is not in gt.images');
    expect(() => cocoEvaluate(dataset([1], [1], [gtBox(1, 1, 1, 0, 0, { area: Number.NaN })]), [])).toThrow('gt.annotations[0]: area must be a number >= 0');
    expect(() => cocoEvaluate(dataset([1], [1], [gtBox(1, 1, 1, 0, 0, { iscrowd: 2 as 0 })]), [])).toThrow('gt.annotations[0]: iscrowd must be 0 or 1, got 2');
    expect(() => cocoEvaluate(gt, [], { imgIds: [3] })).toThrow('cocoEvaluate: options.imgIds[0]: image id 3 is not in gt.images');
  });
});

describe('cocoEvaluate speed', () => {
  it('evaluates 5000 images x 100 detections in seconds', () => {
    let state = 99;
    const rand = () => (state = (state * 48271) % 2147483647) / 2147483647;
    const images = Array.from({ length: 5000 }, (_, i) => i + 1);
    const categories = Array.from({ length: 80 }, (_, k) => k + 1);
    const annotations: CocoAnnotation[] = [];
    const detections: CocoDetection[] = [];
    for (const imageId of images) {
      for (let g = 0; g < 7; g++) {
        const [x, y, w, h] = [rand() * 500, rand() * 400, 5 + rand() * 200, 5 + rand() * 200];
        const categoryId = 1 + Math.floor(rand() * 80);
        annotations.push({ id: annotations.length + 1, image_id: imageId, category_id: categoryId, bbox: [x, y, w, h], area: w * h, iscrowd: 0 });
        for (let d = 0; d < 5; d++) {
          detections.push({ image_id: imageId, category_id: categoryId, bbox: [x + rand() * 10, y + rand() * 10, w, h], score: rand() });
        }
      }
      while (detections.length % 100 !== 0) {
        detections.push({ image_id: imageId, category_id: 1 + Math.floor(rand() * 80), bbox: [rand() * 500, rand() * 400, 50, 50], score: rand() * 0.5 });
      }
    }
    const start = Date.now();
    const cpuStart = process.cpuUsage();
    const r = cocoEvaluate(dataset(images, categories, annotations), detections);
    const cpu = process.cpuUsage(cpuStart);
    // CPU time, so that a loaded machine does not fail the test.
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    expect(detections).toHaveLength(500000);
    expect(r.stats[1]).toBeGreaterThan(0.5);
    expect(cpuSeconds).toBeLessThan(30);
    console.log(`cocoEvaluate: 5000 images x 100 detections: ${cpuSeconds.toFixed(2)} s CPU, ${(Date.now() - start) / 1000} s wall`);
  });
});
