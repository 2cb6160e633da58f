import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';

describe('wasm Identity without a copy', () => {
  beforeAll(() => initBackend('wasm', { threads: 1 }));

  it('shares the data of its input and keeps it alive until the last reference goes', () => {
    const backend = tf.backend();
    const ids = backend.numDataIds();
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const copy = tf.clone(x);
    expect(backend.numDataIds()).toBe(ids + 1);
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3, 4]);
    copy.dispose();
    expect(backend.numDataIds()).toBe(ids);
  });

  it('leaves variables independent: assigning one does not change a clone of its value', () => {
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const snapshot = tf.clone(v);
    v.assign(tf.tensor1d([7, 8, 9]));
    expect(Array.from(snapshot.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(v.dataSync())).toEqual([7, 8, 9]);
    tf.dispose([v, snapshot]);
  });

  it('clones strings through the stock kernel', () => {
    const s = tf.tensor1d(['a', 'bc'], 'string');
    const c = tf.clone(s);
    s.dispose();
    expect(c.dataSync()).toEqual(['a', 'bc']);
    c.dispose();
  });
});
