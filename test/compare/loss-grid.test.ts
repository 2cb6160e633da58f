/**
 * `--loss-grid`: parsing (one line per mistake, naming the flag and the loss) and the expansion of
 * --losses into variants, against combinations listed by hand.
 */
import { expandLosses, parseLossGrids, variantName } from '../../src/compare/loss-grid';

describe('parseLossGrids', () => {
  it('reads LOSS=JSON per loss of --losses', () => {
    expect(parseLossGrids(['asl={"gammaNeg":[1,4],"clip":[0,0.05]}', 'focal={"gamma":[2]}'], ['focal', 'asl'])).toEqual({
      asl: { gammaNeg: [1, 4], clip: [0, 0.05] },
      focal: { gamma: [2] },
    });
    expect(parseLossGrids([], ['bce'])).toEqual({});
  });

  it.each([
    ['asl', '--loss-grid asl: expected LOSS=JSON, e.g. asl=\'{"gammaNeg":[1,2,4]}\''],
    ['={"a":[1]}', '--loss-grid ={"a":[1]}: expected LOSS=JSON, e.g. asl=\'{"gammaNeg":[1,2,4]}\''],
    ['focal={"gamma":[1]}', '--loss-grid focal: not in --losses (bce, asl)'],
    ['asl={gammaNeg', /^--loss-grid asl: not JSON \(/],
    ['asl={}', '--loss-grid asl: give at least one parameter with its values'],
    ['asl=[1]', '--loss-grid asl: expected an object of parameter lists, got [1]'],
    ['asl={"gammaNeg":[]}', '--loss-grid asl.gammaNeg: expected at least one value, got []'],
    ['asl={"gammaNeg":4}', '--loss-grid asl.gammaNeg: expected a list of values, got 4'],
    ['asl={"gammaNeg":[{"a":1}]}', /^--loss-grid asl\.gammaNeg\.0: expected a number, string or boolean/],
    ['asl={"reduction":["../x"]}', /^--loss-grid asl\.reduction\.0: expected a plain string/],
  ])('refuses %s in one line', (value, message) => {
    expect(() => parseLossGrids([value], ['bce', 'asl'])).toThrow(message);
  });

  it('refuses two grids for one loss', () => {
    expect(() => parseLossGrids(['asl={"clip":[0]}', 'asl={"clip":[0.05]}'], ['asl'])).toThrow('--loss-grid: two grids for asl');
  });
});

describe('expandLosses', () => {
  it('replaces a gridded loss in place by every combination, the last parameter varying fastest', () => {
    const { losses, variants } = expandLosses(['focal', 'asl', 'bce'], { asl: { gammaNeg: [1, 4], clip: [0, 0.05] } });
    expect(losses).toEqual(['focal', 'asl@gammaNeg=1,clip=0', 'asl@gammaNeg=1,clip=0.05', 'asl@gammaNeg=4,clip=0', 'asl@gammaNeg=4,clip=0.05', 'bce']);
    expect(variants['asl@gammaNeg=4,clip=0']).toEqual({ loss: 'asl', params: { gammaNeg: 4, clip: 0 } });
    expect(variants.focal).toEqual({ loss: 'focal', params: {} });
    expect(Object.keys(variants)).toHaveLength(6);
  });

  it('names a variant by its loss and parameters in the order given', () => {
    expect(variantName('asl', { gammaPos: 0, detachFocusing: true })).toBe('asl@gammaPos=0,detachFocusing=true');
  });
});
