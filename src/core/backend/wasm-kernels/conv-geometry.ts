/**
 * Index arithmetic shared by the convolution gradient kernels. Everything here is per spatial
 * axis and pure numbers: the kernels combine a height plan and a width plan.
 *
 * Notation for one axis of a forward convolution: input size `inSize`, output size `outSize`,
 * filter taps `filterSize`, stride `stride`, dilation `dilation`, zeros added before the input
 * `padBefore`. Output position y reads input positions y·stride + i·dilation − padBefore.
 */
import { tf } from '../../tf';

/** Amount to add (positive) or remove (negative) at each end of one axis. */
export interface AxisPads {
  before: number;
  after: number;
}

/** One stride-1 sub-convolution of the input gradient, for one residue of the input index. */
export interface AxisPhase {
  /** Taps of the sub-sampled filter; 0 when no filter tap reaches this residue. */
  taps: number;
  /** Filter index of the phase's first tap; the others follow every `stride` entries. */
  firstTap: number;
  /** Padding of dy (negative: crop) so the sub-convolution yields exactly `rowsPerPhase` outputs. */
  pads: AxisPads;
}

/** Input-gradient plan of one axis: input index h = t·stride + r comes from phase r, row t. */
export interface AxisPlan {
  stride: number;
  dilation: number;
  /** Rows every phase produces: ceil(inSize / stride); rows past inSize are cropped afterwards. */
  rowsPerPhase: number;
  phases: AxisPhase[];
}

export interface AxisGeometry {
  inSize: number;
  outSize: number;
  filterSize: number;
  stride: number;
  dilation: number;
  padBefore: number;
}

/**
 * Plans dx[h] = Σ_i dy[y]·w[i] over h + padBefore = y·stride + i·dilation as `stride` stride-1
 * correlations of dy with sub-sampled flipped filters (polyphase), so no zero-dilated dy is built.
 * Requires stride 1 or dilation 1 (the forward ops allow nothing else).
 */
export function planInputGradientAxis(g: AxisGeometry): AxisPlan {
  if (g.stride !== 1 && g.dilation !== 1) {
    throw new Error(`conv gradient: stride ${g.stride} with dilation ${g.dilation} is unsupported (one must be 1)`);
  }
  const rowsPerPhase = Math.ceil(g.inSize / g.stride);
  const phases: AxisPhase[] = [];
  for (let r = 0; r < g.stride; r++) {
    // Row t of phase r is dx[t·s + r]; it needs dy[q − k] with q = t + firstRow and taps i = tapOffset + k·s.
    const firstRow = Math.floor((r + g.padBefore) / g.stride);
    const tapOffset = (r + g.padBefore) % g.stride;
    const taps = tapOffset < g.filterSize ? Math.ceil((g.filterSize - tapOffset) / g.stride) : 0;
    const extent = (taps - 1) * g.dilation + 1;
    const before = extent - 1 - firstRow;
    const after = rowsPerPhase + extent - 1 - g.outSize - before;
    phases.push({
      taps,
      firstTap: tapOffset,
      pads: { before, after },
    });
  }
  return { stride: g.stride, dilation: g.dilation, rowsPerPhase, phases };
}

/**
 * Padding of x (negative: crop) for the filter gradient computed as a correlation of x with dy
 * used as the filter (dilation = forward stride, stride = forward dilation), so that it yields
 * exactly `filterSize` outputs: x must span (filterSize−1)·dilation + (outSize−1)·stride + 1.
 */
export function filterGradientAxisPads(g: AxisGeometry): AxisPads {
  const span = (g.filterSize - 1) * g.dilation + (g.outSize - 1) * g.stride + 1;
  return { before: g.padBefore, after: span - g.padBefore - g.inSize };
}

/** Height and width geometry of a forward 2-D convolution described by tfjs's Conv2DInfo. */
export function axisGeometries(info: tf.backend_util.Conv2DInfo): [AxisGeometry, AxisGeometry] {
  return [
    {
      inSize: info.inHeight,
      outSize: info.outHeight,
      filterSize: info.filterHeight,
      stride: info.strideHeight,
      dilation: info.dilationHeight,
      padBefore: info.padInfo.top,
    },
    {
      inSize: info.inWidth,
      outSize: info.outWidth,
      filterSize: info.filterWidth,
      stride: info.strideWidth,
      dilation: info.dilationWidth,
      padBefore: info.padInfo.left,
    },
  ];
}

/**
 * Applies the negative parts of `[height, width]` pads as a crop of an NHWC tensor and returns the
 * positive parts as tfjs explicit padding for a convolution.
 * @param t [N, H, W, C]
 * @returns the cropped [N, H', W', C] tensor (t itself when nothing is cropped) and the padding
 */
export function cropAndPadding(
  t: tf.Tensor4D,
  [h, w]: [AxisPads, AxisPads],
): { cropped: tf.Tensor4D; padding: tf.backend_util.ExplicitPadding } {
  const cut = (n: number) => Math.max(0, -n);
  const keep = (n: number) => Math.max(0, n);
  const cropped =
    h.before < 0 || h.after < 0 || w.before < 0 || w.after < 0
      ? tf.slice(
          t,
          [0, cut(h.before), cut(w.before), 0],
          [-1, t.shape[1] - cut(h.before) - cut(h.after), t.shape[2] - cut(w.before) - cut(w.after), -1],
        )
      : t;
  const padding: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [keep(h.before), keep(h.after)],
    [keep(w.before), keep(w.after)],
    [0, 0],
  ];
  return { cropped, padding };
}

/** Rejects anything but channels-last layout, which the wasm forward convolutions also require. */
export function assertChannelsLast(kernelName: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernelName} (wasm): dataFormat '${dataFormat}' is unsupported; use 'NHWC'`);
  }
}
