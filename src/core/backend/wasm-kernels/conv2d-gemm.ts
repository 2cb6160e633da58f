/**
 * Convolutions and their gradients as GEMMs on our SIMD kernels (simd/), reading and writing
 * tensors in the wasm backend's memory in place:
 *   forward          y[P, Co] = im2col(x)[P, KK] · W[KK, Co]
 *   filter gradient  dW[KK, Co] = im2col(x)ᵀ[KK, P] · dy[P, Co]
 *   input gradient   dx = col2im(dy[P, Co] · Wᵀ[Co, KK])
 * with P = N·Ho·Wo output positions and KK = fh·fw·Ci filter taps. Images are processed in groups
 * so the column buffer stays under COLUMN_BYTES; the filter gradient sums the groups in order.
 * A group of at least MIN_IMAGES_PER_IMAGE images runs one unit per image (its im2col or col2im
 * beside its GEMM, the columns still in cache; the filter gradient in a fixed number of partial
 * sums); smaller groups run each pass over the whole group, split by rows.
 */
import { tf } from '../../tf';
import { GEMM_COLS, UnitKind } from '../simd/kernels-wat';
import { floatParam, simdKernelsFor, type SimdKernels } from '../simd/simd-kernels';

/** The part of tfjs's BackendWasm these kernels use. */
export interface WasmBackendMemory {
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  wasm: { _malloc(bytes: number): number; _free(pointer: number): void; HEAPF32: Float32Array };
}

/** Default upper bound of one column buffer; larger batches are cut into groups of images. */
const COLUMN_BYTES = 32 << 20;
/** GEMM rows per unit of work and K per cache-resident chunk (measured on the reference CNN's shapes). */
const FILTER_GRADIENT_ROWS = 16;
const FILTER_GRADIENT_K_CHUNK = 64;
const INPUT_GRADIENT_ROWS = 64;
const FORWARD_ROWS = 64;
/** Smallest group run one unit per image, and the partial sums of such a filter gradient. */
const MIN_IMAGES_PER_IMAGE = 4;
const FILTER_GRADIENT_PARTIALS = 8;

const roundUp = (n: number, multiple: number) => Math.ceil(n / multiple) * multiple;

/** Byte offset of a tensor's data in the wasm memory. */
export function offsetOf(backend: WasmBackendMemory, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('SIMD kernels: tensor data is not on the wasm backend');
  return data.memoryOffset;
}

/** The SIMD kernels when they can run this convolution's gradients, else undefined. */
export function gemmKernelsFor(backend: object, info: tf.backend_util.Conv2DInfo): SimdKernels | undefined {
  if (info.dataFormat !== 'channelsLast' || info.batchSize * info.outHeight * info.outWidth === 0) return undefined;
  return simdKernelsFor(backend);
}

/** Filter taps KK = fh·fw·Ci, output positions per image Ho·Wo, output channels Co. */
function gemmSizes(info: tf.backend_util.Conv2DInfo): { taps: number; positions: number; co: number } {
  return { taps: info.filterHeight * info.filterWidth * info.inChannels, positions: info.outHeight * info.outWidth, co: info.outChannels };
}

/** Params shared by im2col and col2im: image pointer, column pointer, geometry, column row stride. */
function patchParams(info: tf.backend_util.Conv2DInfo, image: number, columns: number, columnRowBytes: number): number[] {
  const i = info;
  return [image, columns, i.inHeight, i.inWidth, i.inChannels, i.outHeight, i.outWidth, i.filterHeight, i.filterWidth,
    i.strideHeight, i.strideWidth, i.padInfo.top, i.padInfo.left, columnRowBytes, i.dilationHeight, i.dilationWidth];
}

/** Images per group so that `bytesPerImage` each stay under `columnBytes` (at least one). */
function imagesPerGroup(info: tf.backend_util.Conv2DInfo, bytesPerImage: number, columnBytes: number): number {
  return Math.max(1, Math.min(info.batchSize, Math.floor(columnBytes / bytesPerImage)));
}

/** A 1×1 stride-1 unpadded convolution reads x as its own column matrix. */
function isPointwise(i: tf.backend_util.Conv2DInfo): boolean {
  return i.filterHeight === 1 && i.filterWidth === 1 && i.strideHeight === 1 && i.strideWidth === 1 && i.padInfo.top === 0 && i.padInfo.left === 0;
}

/**
 * Copies the filter W[KK, Co] into GEMM panels at `panels` (zero-padded to whole 8-column
 * blocks): as B = W (k = tap, columns = co) or, `transposed`, as B = Wᵀ (k = co, columns = tap).
 */
function packFilter(kernels: SimdKernels, filterAt: number, taps: number, co: number, panels: number, transposed: boolean): void {
  const blocks = Math.ceil((transposed ? taps : co) / GEMM_COLS);
  kernels.run(UnitKind.PackPanels, blocks, [filterAt, panels, taps, co, transposed ? 1 : 0]);
}

/** Images [first, first + images) of a batch, and how to give the GEMM its A for them. */
interface ColumnGroup {
  first: number;
  images: number;
  /** The GEMM's A: the column buffer, or x itself for a pointwise convolution. */
  columns: number;
  /** im2col's params for the group; undefined for a pointwise convolution (nothing to copy). */
  im2col?: number[];
  /** Whether to run one unit per image (see perImage). */
  perImage: boolean;
}

/**
 * Whether a group of `images` runs one unit per image: enough units to share among threads. A
 * constant, not the thread count: the filter gradient's summation order depends on the choice.
 */
const perImage = (images: number) => images >= MIN_IMAGES_PER_IMAGE;

/**
 * Visits the batch in groups of images whose columns (plus `extraBytesPerImage` the visitor
 * needs) stay under `columnBytes`; the visitor runs im2col itself, alone or beside its GEMM.
 */
function forEachColumnGroup(
  backend: WasmBackendMemory,
  kernels: SimdKernels,
  info: tf.backend_util.Conv2DInfo,
  x: tf.TensorInfo,
  extraBytesPerImage: number,
  columnBytes: number,
  visit: (group: ColumnGroup) => void,
): void {
  const { taps, positions } = gemmSizes(info);
  const pointwise = isPointwise(info);
  const group = imagesPerGroup(info, (pointwise ? 0 : positions * taps * 4) + extraBytesPerImage, columnBytes);
  const columns = pointwise ? 0 : backend.wasm._malloc(group * positions * taps * 4);
  try {
    const xAt = offsetOf(backend, x);
    for (let first = 0; first < info.batchSize; first += group) {
      const images = Math.min(group, info.batchSize - first);
      const image = xAt + first * info.inHeight * info.inWidth * info.inChannels * 4;
      const im2col = pointwise ? undefined : patchParams(info, image, columns, taps * 4);
      visit({ first, images, columns: pointwise ? image : columns, im2col, perImage: perImage(images) });
    }
  } finally {
    if (!pointwise) backend.wasm._free(columns);
  }
}

/**
 * y[n, oh, ow, co] = Σ_{kh, kw, ci} x[n, oh·sh + kh·dh − pt, ow·sw + kw·dw − pl, ci] · W[kh, kw, ci, co].
 * Needs Co a multiple of 8 (the caller falls back otherwise).
 * @param x [N, H, W, Ci]; filter [fh, fw, Ci, Co]
 * @returns [N, Ho, Wo, Co]
 */
export function gemmConvolution(
  backend: WasmBackendMemory,
  kernels: SimdKernels,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  columnBytes = COLUMN_BYTES,
): tf.TensorInfo {
  const { taps, positions, co } = gemmSizes(info);
  const out = backend.makeOutput(info.outShape, 'float32');
  const panels = backend.wasm._malloc(taps * co * 4);
  try {
    const outAt = offsetOf(backend, out);
    packFilter(kernels, offsetOf(backend, filter), taps, co, panels, false);
    forEachColumnGroup(backend, kernels, info, x, 0, columnBytes, ({ first, images, columns, im2col, perImage }) => {
      const rows = images * positions;
      const gemm = (rowsPerUnit: number) => [
        columns, taps * 4, 4, panels, GEMM_COLS * 4, taps * GEMM_COLS * 4, outAt + first * positions * co * 4, co * 4,
        rows, co, taps, rowsPerUnit, taps, 0,
      ];
      if (im2col && perImage) {
        kernels.run(UnitKind.Im2colGemm, images, [...im2col, ...gemm(positions)]);
        return;
      }
      if (im2col) kernels.run(UnitKind.Im2col, images, im2col);
      kernels.run(UnitKind.Gemm, Math.ceil(rows / FORWARD_ROWS), gemm(FORWARD_ROWS));
    });
  } finally {
    backend.wasm._free(panels);
  }
  return out;
}

/**
 * dW[kh, kw, ci, co] = Σ_p col[p, (kh, kw, ci)] · dy[p, co], the groups summed in order. Where Co is
 * not a multiple of 8, dy is copied into rows padded to whole GEMM columns (the padding's values
 * only reach dW's padding columns, which are dropped).
 * @param x [N, H, W, Ci]; dy [N, Ho, Wo, Co]
 * @returns [fh, fw, Ci, Co]
 */
export function gemmFilterGradient(
  backend: WasmBackendMemory,
  kernels: SimdKernels,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  columnBytes = COLUMN_BYTES,
): tf.TensorInfo {
  const { taps, positions, co } = gemmSizes(info);
  const paddedCo = roundUp(co, GEMM_COLS);
  const padded = paddedCo !== co;
  const partialBytes = taps * paddedCo * 4;
  const out = backend.makeOutput([info.filterHeight, info.filterWidth, info.inChannels, co], 'float32');
  const paddedOut = padded ? backend.wasm._malloc(partialBytes) : 0;
  // One unit per image: slot 0 holds the groups so far, then one slot per partial sum.
  let partials = 0;
  try {
    const [dyAt, outAt] = [offsetOf(backend, dy), offsetOf(backend, out)];
    const total = padded ? paddedOut : outAt;
    forEachColumnGroup(backend, kernels, info, x, padded ? positions * paddedCo * 4 : 0, columnBytes, ({ first, images, columns, im2col, perImage }) => {
      let b = dyAt + first * positions * co * 4;
      const paddedDy = padded ? backend.wasm._malloc(images * positions * paddedCo * 4) : 0;
      try {
        if (padded) {
          // A 1×1 im2col is a row copy into a wider row.
          const rowCopy = [b, paddedDy, info.outHeight, info.outWidth, co, info.outHeight, info.outWidth, 1, 1, 1, 1, 0, 0, paddedCo * 4, 1, 1];
          kernels.run(UnitKind.Im2col, images, rowCopy);
          b = paddedDy;
        }
        if (im2col && perImage) {
          partials ||= backend.wasm._malloc((FILTER_GRADIENT_PARTIALS + 1) * partialBytes);
          const units = Math.min(images, FILTER_GRADIENT_PARTIALS);
          kernels.run(UnitKind.Im2colFilterGradient, units, [
            ...im2col, b, paddedCo * 4, partials + partialBytes, partialBytes, taps, paddedCo, positions, FILTER_GRADIENT_K_CHUNK, images, units,
          ]);
          if (first > 0) backend.wasm.HEAPF32.copyWithin(partials / 4, total / 4, (total + partialBytes) / 4);
          const [from, count] = first > 0 ? [partials, units + 1] : [partials + partialBytes, units];
          kernels.run(UnitKind.SumRows, 1, [from, total, count, taps * paddedCo, count, floatParam(1)]);
          return;
        }
        if (im2col) kernels.run(UnitKind.Im2col, images, im2col);
        // A = colᵀ: A[tap, p] sits at col + p·taps·4 + tap·4.
        kernels.run(UnitKind.Gemm, Math.ceil(taps / FILTER_GRADIENT_ROWS), [
          columns, 4, taps * 4, b, paddedCo * 4, GEMM_COLS * 4, total, paddedCo * 4,
          taps, paddedCo, images * positions, FILTER_GRADIENT_ROWS, FILTER_GRADIENT_K_CHUNK, first > 0 ? 1 : 0,
        ]);
      } finally {
        if (padded) backend.wasm._free(paddedDy);
      }
    });
    if (padded) {
      const heap = backend.wasm.HEAPF32;
      for (let tap = 0; tap < taps; tap++) heap.copyWithin(outAt / 4 + tap * co, paddedOut / 4 + tap * paddedCo, paddedOut / 4 + tap * paddedCo + co);
    }
  } finally {
    if (partials) backend.wasm._free(partials);
    if (padded) backend.wasm._free(paddedOut);
  }
  return out;
}

/**
 * dx = col2im(dy · Wᵀ): each output position's Co gradients spread over the fh·fw·Ci inputs it
 * read, summed where windows overlap. Any channel counts (Wᵀ is padded to whole GEMM columns).
 * @param dy [N, Ho, Wo, Co]; filter [fh, fw, Ci, Co]
 * @returns [N, H, W, Ci]
 */
export function gemmInputGradient(
  backend: WasmBackendMemory,
  kernels: SimdKernels,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  columnBytes = COLUMN_BYTES,
): tf.TensorInfo {
  const { taps, positions, co } = gemmSizes(info);
  const paddedTaps = roundUp(taps, GEMM_COLS);
  const out = backend.makeOutput([info.batchSize, info.inHeight, info.inWidth, info.inChannels], 'float32');
  const group = imagesPerGroup(info, positions * paddedTaps * 4, columnBytes);
  const transposed = backend.wasm._malloc(co * paddedTaps * 4);
  const columns = backend.wasm._malloc(group * positions * paddedTaps * 4);
  try {
    const [dyAt, filterAt, outAt] = [offsetOf(backend, dy), offsetOf(backend, filter), offsetOf(backend, out)];
    packFilter(kernels, filterAt, taps, co, transposed, true);
    for (let n0 = 0; n0 < info.batchSize; n0 += group) {
      const images = Math.min(group, info.batchSize - n0);
      const rows = images * positions;
      const gemm = (rowsPerUnit: number) => [
        dyAt + n0 * positions * co * 4, co * 4, 4, transposed, GEMM_COLS * 4, co * GEMM_COLS * 4, columns, paddedTaps * 4,
        rows, paddedTaps, co, rowsPerUnit, co, 0,
      ];
      const col2im = patchParams(info, outAt + n0 * info.inHeight * info.inWidth * info.inChannels * 4, columns, paddedTaps * 4);
      if (perImage(images)) {
        kernels.run(UnitKind.GemmCol2im, images, [...gemm(positions), ...col2im]);
        continue;
      }
      kernels.run(UnitKind.Gemm, Math.ceil(rows / INPUT_GRADIENT_ROWS), gemm(INPUT_GRADIENT_ROWS));
      kernels.run(UnitKind.Col2im, images, col2im);
    }
  } finally {
    backend.wasm._free(columns);
    backend.wasm._free(transposed);
  }
  return out;
}
