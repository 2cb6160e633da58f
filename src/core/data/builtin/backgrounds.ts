/**
 * Coloured textured backgrounds for the detection scenes: a mix of two random colours weighted by
 * a linear gradient, smooth value noise (coarse or fine), or stripes (soft or hard) at a random
 * angle. No per-pixel grain: it would make every PNG several times larger.
 */
import { Rng } from './prng';

export type Colour = [number, number, number];

export function randomColour(rng: Rng): Colour {
  return [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)];
}

/** Per-pixel mixing weights in [0, 1] of a size x size image. */
function mixWeights(rng: Rng, size: number): Float32Array {
  const t = new Float32Array(size * size);
  const kind = rng.int(0, 2);
  const angle = rng.uniform(0, Math.PI);
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  if (kind === 0) {
    // Linear gradient across the image along `angle`.
    const span = size * (Math.abs(cos) + Math.abs(sin));
    const offset = Math.min(0, (size - 1) * cos) + Math.min(0, (size - 1) * sin);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) t[y * size + x] = (x * cos + y * sin - offset) / span;
  } else if (kind === 1) {
    // Value noise: random values on a (cells + 1)^2 grid, interpolated bilinearly.
    const cells = rng.int(2, 24);
    const grid = Array.from({ length: (cells + 1) * (cells + 1) }, () => rng.next());
    for (let y = 0; y < size; y++) {
      const gy = (y / size) * cells;
      const y0 = Math.floor(gy);
      const fy = gy - y0;
      for (let x = 0; x < size; x++) {
        const gx = (x / size) * cells;
        const x0 = Math.floor(gx);
        const fx = gx - x0;
        const at = (cx: number, cy: number): number => grid[cy * (cells + 1) + cx];
        const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
        const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
        t[y * size + x] = top * (1 - fy) + bottom * fy;
      }
    }
  } else {
    // Stripes of random period and phase; hard stripes are the soft ones thresholded.
    const period = rng.uniform(6, 24);
    const phase = rng.uniform(0, 2 * Math.PI);
    const hard = rng.chance(0.5);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const soft = 0.5 + 0.5 * Math.sin((2 * Math.PI * (x * cos + y * sin)) / period + phase);
        t[y * size + x] = hard ? (soft > 0.5 ? 1 : 0) : soft;
      }
    }
  }
  return t;
}

/** A random size x size RGB background, interleaved uint8. */
export function texturedBackground(rng: Rng, size: number): Uint8Array {
  const [c0, c1] = [randomColour(rng), randomColour(rng)];
  const t = mixWeights(rng, size);
  const out = new Uint8Array(size * size * 3);
  for (let p = 0; p < size * size; p++) {
    for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.round(c0[c] + (c1[c] - c0[c]) * t[p]);
  }
  return out;
}
