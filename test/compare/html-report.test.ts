import { renderHtml } from '../../src/compare/html-report';
import { summarizeResults } from '../../src/compare/summary';
import { barChart, escapeXml, lineChart, niceTicks } from '../../src/compare/svg-charts';
import { cells, PLAN } from './fixtures';

describe('SVG charts', () => {
  it('picks round ticks covering the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    // (35.1 - 32.4)/5 = 0.54 rounds up to a step of 1.
    expect(niceTicks(32.4, 35.1)).toEqual([32, 33, 34, 35, 36]);
    expect(niceTicks(1, 2, 5, true)).toEqual([1, 2]);
    // A flat series is widened to [2.5, 3.5], ticks every 0.2.
    expect(niceTicks(3, 3)).toEqual([2.4, 2.6, 2.8, 3, 3.2, 3.4, 3.6]);
    expect(() => niceTicks(0, NaN)).toThrow('bounds must be finite');
  });

  it('draws one path per series and a bar with error bar per loss, escaping text', () => {
    const svg = lineChart({ title: 'a<b', xLabel: 'epoch', yLabel: 'y' }, [
      { name: 'bce', color: '#000', points: [[1, 2], [2, 3]] },
      { name: 'empty', color: '#111', points: [] },
    ]);
    expect(svg.match(/<path /g)).toHaveLength(1);
    expect(svg).toContain('a&lt;b');
    expect(svg).not.toContain('>empty<');
    const bars = barChart({ title: 't', xLabel: 'loss', yLabel: 'mAP' }, [
      { name: 'bce', color: '#000', mean: 40, error: 2, values: [38, 42] },
      { name: 'asl', color: '#111', mean: 45, error: NaN, values: [45] },
    ]);
    expect(bars.match(/<rect x=/g)).toHaveLength(3); // the plot frame and two bars
    expect(bars.match(/stroke="#222" stroke-width="1.5"/g)).toHaveLength(1); // only bce has an error bar
    expect(escapeXml('"x" & y')).toBe('&quot;x&quot; &amp; y');
  });
});

describe('report.html', () => {
  const html = renderHtml(PLAN, summarizeResults(PLAN, cells()));

  it('is self-contained: no external resources, one inline script', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script[^>]*src=|<link|@import|url\(/);
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:/);
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('draws curves, final metric and (for multilabel) the probability analysis per task', () => {
    const titles = [...html.matchAll(/<text x="64" y="20" class="title">([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(titles).toEqual([
      'multilabel: training loss per epoch (each loss on its own scale)',
      'multilabel: validation mAP per epoch (live weights)',
      'multilabel: final mAP, mean ± std over seeds (dots: seeds)',
      'multilabel: mean p, positives (solid) / negatives (dashed)',
      'multilabel: probability gap Δp = p̄(pos) − (1 − p̄(neg))',
      'singlelabel: training loss per epoch (each loss on its own scale)',
      'singlelabel: validation top1 per epoch (live weights)',
      'singlelabel: final top1, mean ± std over seeds (dots: seeds)',
    ]);
    expect(html).toContain('<td>n/a: my-sigmoid is a sigmoid loss;');
    expect(html).toContain('<li>focal/seed 1: step 3: loss is NaN</li>');
    // Timing: bce's wall times 3, 4, 5 s → mean 4.0.
    expect(html).toContain('<tr><td>bce</td><td>4.0</td><td>100</td><td>1</td></tr>');
  });
});

describe('report.html with adaptive asymmetry', () => {
  it('plots gammaNeg over training for runs that adapted it', () => {
    const adapted = cells().map((c) =>
      c.probability && c.loss === 'asl' ? { ...c, probability: { ...c.probability, gammaNeg: [4, 4.2, 4.1] } } : c,
    );
    const html = renderHtml(PLAN, summarizeResults(PLAN, adapted));
    expect(html).toContain('multilabel: gammaNeg under adaptive asymmetry');
    expect(renderHtml(PLAN, summarizeResults(PLAN, cells()))).not.toContain('gammaNeg under adaptive asymmetry');
  });
});
