/** Shared test helpers for the backbone tests. */
import { tf } from '../../src/core/tf';

/** Deterministic pseudo-random values in [offset - scale, offset + scale] (a small LCG; no Math.random). */
export function seededValues(count: number, seed: number, scale = 1, offset = 0): number[] {
  let state = (seed * 2654435761) >>> 0;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return offset + scale * (2 * (state / 2 ** 32) - 1);
  });
}

/** Element-wise |a - b| <= tol · max(1, |b|), with the first offending index in the message. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= tol * Math.max(1, Math.abs(expected[i])))) {
      throw new Error(`index ${i}: got ${actual[i]}, expected ${expected[i]} (tolerance ${tol})`);
    }
  }
}

/** Saves a model to memory and loads it back, as a browser would from model.json + weights. */
export async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('roundTrip: save handler was not called');
  // Through JSON, as a file would be: only what is really serialised survives.
  const topology = JSON.parse(JSON.stringify(saved.modelTopology));
  return tf.loadLayersModel(tf.io.fromMemory({ ...saved, modelTopology: topology }));
}
