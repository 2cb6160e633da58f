import { drawPrediction } from '../../src/cli/draw-predictions';
import type { RawImage } from '../../src/core/data/image/codec';

const blank = (): RawImage => ({ width: 40, height: 40, channels: 3, data: new Uint8Array(40 * 40 * 3).fill(128) });
const at = (img: RawImage, x: number, y: number) => Array.from(img.data.subarray((y * 40 + x) * 3, (y * 40 + x) * 3 + 3));

describe('drawPrediction', () => {
  it('outlines detections at or above minScore in their class colour, leaving the input untouched', () => {
    const image = blank();
    const prediction = {
      image: 'a.png',
      detections: [
        { bbox: [5, 20, 20, 15], label: 'one', score: 0.9 },
        { bbox: [28, 28, 10, 10], label: 'zero', score: 0.1 },
      ],
    };
    const drawn = drawPrediction(image, prediction, ['zero', 'one'], 0.3);
    expect(at(drawn, 5, 30)).toEqual([60, 180, 75]); // left edge of box 1, class 1's colour
    expect(at(drawn, 15, 34)).toEqual([60, 180, 75]); // bottom edge
    expect(at(drawn, 15, 27)).toEqual([128, 128, 128]); // inside
    expect(at(drawn, 37, 33)).toEqual([128, 128, 128]); // the 0.1 box is left out
    expect(at(drawn, 6, 13)).not.toEqual([128, 128, 128]); // its tag sits above the box
    expect(image.data.every((v) => v === 128)).toBe(true);
    expect(at(drawPrediction(image, prediction, ['zero', 'one']), 37, 33)).toEqual([230, 25, 75]);
  });

  it('writes the top labels of a classification prediction in the corner', () => {
    const drawn = drawPrediction(blank(), { image: 'a.png', top: [{ label: 'cat', score: 0.7 }] }, ['cat']);
    expect(at(drawn, 1, 1)).toEqual([230, 25, 75]);
    expect(at(drawn, 20, 30)).toEqual([128, 128, 128]);
  });

  it('names a prediction with nothing to draw', () => {
    expect(() => drawPrediction(blank(), { image: 'a.png', probabilities: [0.1] }, [])).toThrow('--draw: the prediction of a.png has neither detections nor top labels to draw');
  });
});
