import { renderMarkdown } from '../../src/compare/markdown';
import { summarizeResults } from '../../src/compare/summary';
import { cells, PLAN } from './fixtures';

describe('results.md', () => {
  const md = renderMarkdown(PLAN, summarizeResults(PLAN, cells()));
  const lines = md.split('\n');

  it('has one primary-metric table per task with mean ± std and the paired difference to the first loss', () => {
    // Hand values: asl Δ = 3, 2, 4 → mean 3, sd 1, t-interval 3 ± 4.302652729749462/√3 = [0.52, 5.48];
    // the 3-seed bootstrap spans [min Δ, max Δ] = [2, 4]. asl sd = √((4 + 1 + 9)/2) = √7 = 2.65.
    const table = lines.slice(lines.indexOf('## multilabel — mAP') + 2, lines.indexOf('## multilabel — mAP') + 8);
    expect(table).toEqual([
      '| loss | trained as | seeds ok | mAP (mean ± std) | Δ vs bce | Δ 95% t-interval | Δ 95% paired bootstrap |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      '| bce | bce | 3/3 | 42.00 ± 2.00 | (baseline) |  |  |',
      '| asl | asl | 3/3 | 45.00 ± 2.65 | +3.00 (n=3) | [+0.52, +5.48] | [+2.00, +4.00] |',
      '| focal | focal | 2/3 | 43.00 ± 2.83 | +1.00 (n=2) | [+1.00, +1.00] | [+1.00, +1.00] |',
      // my-sigmoid: Δ = -10, -12, -14 → sd 2, half-width 4.3027·2/√3 = 4.97.
      '| my-sigmoid | my-sigmoid | 3/3 | 30.00 ± 0.00 | -12.00 (n=3) | [-16.97, -7.03] | [-14.00, -10.00] |',
    ]);
  });

  it('reports a loss without a form for the task as n/a, and lists failed cells', () => {
    expect(lines).toContain('| my-sigmoid | n/a: my-sigmoid is a sigmoid loss; singlelabel trains with softmax losses and no softmax form of it is known | 0/3 | n/a |  |  |  |');
    expect(lines).toContain('| bce | ce | 3/3 | 60.00 ± 10.00 | (baseline) |  |  |');
    expect(lines).toContain('| asl | asl-single-label | 3/3 | 65.00 ± 13.23 | +5.00 (n=3) | [-7.42, +17.42] | [+0.00, +10.00] |');
    expect(lines).toContain('- multilabel/focal/seed 1: step 3: loss is NaN');
  });

  it('tabulates every numeric metric per applicable loss, and no timings', () => {
    expect(lines).toContain('| metric | bce | asl | focal | my-sigmoid |');
    expect(lines).toContain('| CF1 | 21.00 ± 1.00 | 22.50 ± 1.32 | 21.50 ± 1.41 | 15.00 ± 0.00 |');
    expect(lines).toContain('| metric | bce | asl | focal |');
    expect(md).not.toMatch(/perClassAP|wall|images\/s/);
    expect(md).not.toContain('| APl'); // −1 in every cell: COCO's "no ground truth in that range"
    expect(md).toContain('Flags: --epochs 2 --image-size 32.');
  });
});
