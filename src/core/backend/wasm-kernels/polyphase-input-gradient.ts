/**
 * Input gradient of a strided (or dilated) convolution as stride-1 convolutions of dy with
 * sub-sampled flipped filters, one per (row residue, column residue), interleaved afterwards.
 * The usual alternative, one convolution of a zero-dilated dy, spends stride² of its work on zeros.
 */
import { tf } from '../../tf';
import { AxisPlan, cropAndPadding, planInputGradientAxis, axisGeometries } from './conv-geometry';

/**
 * A stride-1 correlation with explicit padding and dilation.
 * @param dy [N, Ho', Wo', A] (already cropped)
 * @param filter [kh, kw, A, B], taps already flipped
 * @returns [N, rowsPerPhase_h, rowsPerPhase_w, C] where C is the input channel count
 */
export type SubConvolution = (
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  padding: tf.backend_util.ExplicitPadding,
  dilations: [number, number],
) => tf.Tensor4D;

/**
 * The flipped, sub-sampled filter of phase (rh, rw), built by copying [A, B] blocks: wasm's
 * Reverse and StridedSlice kernels run about 20x slower than a copy.
 * @param values the [fh, fw, A, B] filter, not flipped
 * @returns [taps_h, taps_w, A, B]; entry (m, k) is filter[first_h + (taps_h−1−m)·s_h, first_w + (taps_w−1−k)·s_w]
 */
function flippedSubFilter(
  values: Float32Array,
  shape: number[],
  [hPlan, wPlan]: [AxisPlan, AxisPlan],
  [rh, rw]: [number, number],
): tf.Tensor4D {
  const [, fw, a, b] = shape;
  const [hPhase, wPhase] = [hPlan.phases[rh], wPlan.phases[rw]];
  const block = a * b;
  const out = new Float32Array(hPhase.taps * wPhase.taps * block);
  for (let m = 0; m < hPhase.taps; m++) {
    const row = hPhase.firstTap + (hPhase.taps - 1 - m) * hPlan.stride;
    for (let k = 0; k < wPhase.taps; k++) {
      const col = wPhase.firstTap + (wPhase.taps - 1 - k) * wPlan.stride;
      const from = (row * fw + col) * block;
      out.set(values.subarray(from, from + block), (m * wPhase.taps + k) * block);
    }
  }
  return tf.tensor4d(out, [hPhase.taps, wPhase.taps, a, b]);
}

/**
 * Puts dx[t·s + r] at row t of phase r: phases concatenated on channels, [N·T, T', sh, sw·C] →
 * swap axes 1 and 2 → [N, T·sh, T'·sw, C]. (wasm's Pack and 6-D Transpose are several times slower.)
 * @param phaseRows [rh][rw] → [N, T, T', C]
 * @returns [N, T·sh, T'·sw, C]
 */
function interleave(phaseRows: tf.Tensor4D[][]): tf.Tensor4D {
  const [batch, rows, cols, channels] = phaseRows[0][0].shape;
  const [sh, sw] = [phaseRows.length, phaseRows[0].length];
  const byChannel = tf.concat(phaseRows.flat(), 3); // [N, T, T', sh·sw·C]
  const swapped = tf.transpose(tf.reshape(byChannel, [batch * rows, cols, sh, sw * channels]), [0, 2, 1, 3]);
  return tf.reshape(swapped, [batch, rows * sh, cols * sw, channels]);
}

/**
 * Computes dx of a forward convolution described by `info`; call inside tf.tidy.
 * @param dy [N, Ho, Wo, A] gradient of the forward output
 * @param filter [fh, fw, A, B]: the forward filter (NOT flipped) with its channel axes arranged
 *   for `subConvolution`
 * @returns [N, H, W, C] with C = info.inChannels
 */
export function polyphaseInputGradient(
  info: tf.backend_util.Conv2DInfo,
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  subConvolution: SubConvolution,
): tf.Tensor4D {
  const [hGeometry, wGeometry] = axisGeometries(info);
  const hPlan = planInputGradientAxis(hGeometry);
  const wPlan = planInputGradientAxis(wGeometry);
  const [batch, channels] = [info.batchSize, info.inChannels];
  const dilations: [number, number] = [hPlan.dilation, wPlan.dilation];
  const filterValues = filter.dataSync() as Float32Array;

  const phaseRows: tf.Tensor4D[][] = [];
  for (let rh = 0; rh < hPlan.stride; rh++) {
    const row: tf.Tensor4D[] = [];
    for (let rw = 0; rw < wPlan.stride; rw++) {
      const [hPhase, wPhase] = [hPlan.phases[rh], wPlan.phases[rw]];
      if (hPhase.taps === 0 || wPhase.taps === 0) {
        row.push(tf.zeros([batch, hPlan.rowsPerPhase, wPlan.rowsPerPhase, channels]));
        continue;
      }
      const subFilter = flippedSubFilter(filterValues, filter.shape, [hPlan, wPlan], [rh, rw]);
      const { cropped, padding } = cropAndPadding(dy, [hPhase.pads, wPhase.pads]);
      row.push(subConvolution(cropped, subFilter, padding, dilations));
    }
    phaseRows.push(row);
  }
  if (phaseRows.length === 1 && phaseRows[0].length === 1) return phaseRows[0][0];

  const full = interleave(phaseRows);
  const exact = full.shape[1] === info.inHeight && full.shape[2] === info.inWidth;
  return exact ? full : tf.slice(full, [0, 0, 0, 0], [batch, info.inHeight, info.inWidth, channels]);
}
