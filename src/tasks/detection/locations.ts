/**
 * The FCOS location grid: one location per cell of each pyramid level, at the cell centre in
 * network-input pixels ((j + 0.5) · stride, pixel i spanning [i, i + 1)), in the order the model's
 * output rows use: level by level, row-major within a level. Computed once per input size; the
 * target assignment and the decoder read it as plain typed arrays.
 */

export interface LevelRange {
  stride: number;
  /** Cells of this level: ceil(H / stride) x ceil(W / stride), as 'same'-padded stride-2 convs give. */
  height: number;
  width: number;
  /** First row of this level in the concatenated output. */
  start: number;
  /** A location of this level is positive only for a box whose largest ltrb distance is in [minSize, maxSize] (both inclusive, as FCOS). */
  minSize: number;
  maxSize: number;
}

export interface LocationGrid {
  /** Network input size. */
  imageHeight: number;
  imageWidth: number;
  levels: LevelRange[];
  /** L = total locations over all levels. */
  count: number;
  /** [L] centre coordinates in network pixels. */
  x: Float32Array;
  y: Float32Array;
  /** [L] stride of each location's level. */
  stride: Float32Array;
  /** [L] level index of each location. */
  level: Uint8Array;
}

/**
 * @param strides one per level, increasing
 * @param levelBounds strides.length - 1 increasing bounds on the largest ltrb distance between levels
 */
export function locationGrid(imageHeight: number, imageWidth: number, strides: number[], levelBounds: number[]): LocationGrid {
  if (levelBounds.length !== strides.length - 1) throw new Error(`locationGrid: ${strides.length} levels need ${strides.length - 1} bounds, got ${levelBounds.length}`);
  const levels: LevelRange[] = [];
  let count = 0;
  strides.forEach((stride, i) => {
    const height = Math.ceil(imageHeight / stride);
    const width = Math.ceil(imageWidth / stride);
    levels.push({ stride, height, width, start: count, minSize: i === 0 ? 0 : levelBounds[i - 1], maxSize: i === strides.length - 1 ? Infinity : levelBounds[i] });
    count += height * width;
  });
  const grid: LocationGrid = {
    imageHeight, imageWidth, levels, count,
    x: new Float32Array(count), y: new Float32Array(count), stride: new Float32Array(count), level: new Uint8Array(count),
  };
  levels.forEach((lv, li) => {
    for (let r = 0; r < lv.height; r++) {
      for (let c = 0; c < lv.width; c++) {
        const k = lv.start + r * lv.width + c;
        grid.x[k] = (c + 0.5) * lv.stride;
        grid.y[k] = (r + 0.5) * lv.stride;
        grid.stride[k] = lv.stride;
        grid.level[k] = li;
      }
    }
  });
  return grid;
}
