/**
 * ResizeNearestNeighborGrad for the cpu backend. The stock kernel (tfjs-backend-cpu 4.22) reads
 * `dy` at the input's batch offset, so every image after the first gets a gradient taken from the
 * wrong place (the FPN's nearest up-sampling trains detection with it), and it ignores
 * halfPixelCenters. This one is TensorFlow's algorithm: each dy pixel is added to the one input
 * pixel the forward op copied it from, found with tfjs's forward arithmetic, so the result is
 * exactly the transpose of tf.image.resizeNearestNeighbor for every alignCorners/halfPixelCenters.
 */
import { tf } from '../../tf';

/**
 * For each output position along one axis, the input position tfjs's cpu forward op reads
 * (tfjs-backend-cpu ResizeNearestNeighbor, the same as TensorFlow's CPU kernel).
 * @param inSize the forward input's size along the axis
 * @param outSize the forward output's size (dy's) along the axis
 */
export function nearestSourceIndices(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Int32Array {
  const corners = alignCorners && outSize > 1;
  const ratio = (corners ? inSize - 1 : inSize) / (corners ? outSize - 1 : outSize);
  return Int32Array.from({ length: outSize }, (_, o) => {
    const fraction = halfPixelCenters ? ratio * (o + 0.5) : ratio * o;
    const nearest = Math.min(inSize - 1, alignCorners ? Math.round(fraction) : Math.floor(fraction));
    return halfPixelCenters ? Math.max(0, nearest) : nearest;
  });
}

/**
 * dx[b, i, j, c] = Σ dy[b, y, x, c] over the (y, x) whose source is (i, j).
 * @param dy [B, outH, outW, C] float32 values
 * @param imagesShape the forward input's shape [B, inH, inW, C]
 */
export function resizeNearestNeighborBackprop(
  dy: ArrayLike<number>, dyShape: readonly number[], imagesShape: readonly number[], alignCorners: boolean, halfPixelCenters: boolean,
): Float32Array {
  const [batch, inHeight, inWidth, channels] = imagesShape;
  const [dyBatch, outHeight, outWidth, dyChannels] = dyShape;
  if (dyBatch !== batch || dyChannels !== channels) {
    throw new Error(`ResizeNearestNeighborGrad: dy shape [${dyShape}] does not match images shape [${imagesShape}] in batch or channels`);
  }
  const rows = nearestSourceIndices(inHeight, outHeight, alignCorners, halfPixelCenters);
  const cols = nearestSourceIndices(inWidth, outWidth, alignCorners, halfPixelCenters);
  const dx = new Float32Array(batch * inHeight * inWidth * channels);
  let source = 0;
  for (let b = 0; b < batch; b++) {
    const imageOffset = b * inHeight * inWidth * channels;
    for (let y = 0; y < outHeight; y++) {
      const rowOffset = imageOffset + rows[y] * inWidth * channels;
      for (let x = 0; x < outWidth; x++) {
        const target = rowOffset + cols[x] * channels;
        for (let c = 0; c < channels; c++) dx[target + c] += dy[source++];
      }
    }
  }
  return dx;
}

/** Reads and writes through the public KernelBackend interface only, so no tfjs-backend-cpu internals. */
export const resizeNearestNeighborGradCpuKernel: tf.KernelConfig = {
  kernelName: tf.ResizeNearestNeighborGrad,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { images, dy } = inputs as Record<'images' | 'dy', tf.TensorInfo>;
    const { alignCorners, halfPixelCenters } = attrs as unknown as tf.ResizeNearestNeighborGradAttrs;
    const values = (backend as tf.KernelBackend).readSync(dy.dataId) as ArrayLike<number>;
    const dx = resizeNearestNeighborBackprop(values, dy.shape, images.shape, alignCorners, halfPixelCenters);
    return { dataId: (backend as tf.KernelBackend).write(dx, images.shape, 'float32'), shape: images.shape, dtype: 'float32' };
  },
};

/** Replaces the stock cpu kernel with this one. Idempotent. */
export function registerCpuResizeNearestNeighborGrad(): void {
  const current = tf.getKernel(tf.ResizeNearestNeighborGrad, 'cpu');
  if (current?.kernelFunc === resizeNearestNeighborGradCpuKernel.kernelFunc) return;
  if (current) tf.unregisterKernel(tf.ResizeNearestNeighborGrad, 'cpu');
  tf.registerKernel(resizeNearestNeighborGradCpuKernel);
}
