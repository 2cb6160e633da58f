/**
 * Small static SVG charts for the self-contained HTML report: line charts (learning curves,
 * probabilities over training) and bar charts with error bars. Pure functions returning markup;
 * no scripts, no external resources.
 */

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Round tick values covering [min, max] (about `count` of them, steps 1, 2 or 5 × 10^k; at least
 * 1 when `integer`, for axes such as epochs and steps).
 */
export function niceTicks(min: number, max: number, count = 5, integer = false): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new Error(`niceTicks: bounds must be finite, got ${min}, ${max}`);
  if (min === max) [min, max] = [min - Math.max(Math.abs(min) * 0.1, 0.5), max + Math.max(Math.abs(max) * 0.1, 0.5)];
  const raw = (max - min) / Math.max(count, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const nice = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const step = integer ? Math.max(1, nice) : nice;
  const ticks: number[] = [];
  for (let v = Math.floor(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1] < max) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return ticks;
}

function tickLabel(v: number): string {
  return Math.abs(v) >= 1000 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

export interface LineSeries {
  name: string;
  color: string;
  dashed?: boolean;
  points: [number, number][];
}

export interface ChartFrame {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Whole-number x ticks (epochs, steps). */
  integerX?: boolean;
  width?: number;
  height?: number;
}

const MARGIN = { left: 64, right: 150, top: 34, bottom: 46 };

interface Frame {
  svg: string[];
  x: (v: number) => number;
  y: (v: number) => number;
}

/**
 * Axes, grid, labels and legend; returns the scales for the marks. With `categories` the x axis
 * spans [0, categories.length] and category i is labelled at i + 0.5.
 */
function frame(spec: ChartFrame, xs: number[], ys: number[], legend: { name: string; color: string; dashed?: boolean }[], categories?: string[]): Frame {
  const width = spec.width ?? 560;
  const height = spec.height ?? 300;
  const xTicks = categories ? [0, categories.length] : niceTicks(Math.min(...xs), Math.max(...xs), 5, spec.integerX);
  const yTicks = niceTicks(Math.min(...ys), Math.max(...ys));
  const [x0, x1, y0, y1] = [xTicks[0], xTicks[xTicks.length - 1], yTicks[0], yTicks[yTicks.length - 1]];
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const x = (v: number) => MARGIN.left + ((v - x0) / (x1 - x0)) * plotW;
  const y = (v: number) => MARGIN.top + plotH - ((v - y0) / (y1 - y0)) * plotH;
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(spec.title)}">`,
    `<text x="${MARGIN.left}" y="20" class="title">${escapeXml(spec.title)}</text>`,
  ];
  for (const t of yTicks) {
    svg.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" class="grid"/>`);
    svg.push(`<text x="${MARGIN.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" class="tick">${tickLabel(t)}</text>`);
  }
  const xLabels = categories ? categories.map((name, i) => [i + 0.5, name] as const) : xTicks.map((t) => [t, tickLabel(t)] as const);
  for (const [t, label] of xLabels) {
    svg.push(`<text x="${x(t).toFixed(1)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle" class="tick">${escapeXml(label)}</text>`);
  }
  svg.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" class="axes"/>`);
  svg.push(`<text x="${MARGIN.left + plotW / 2}" y="${height - 8}" text-anchor="middle" class="label">${escapeXml(spec.xLabel)}</text>`);
  svg.push(`<text transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle" class="label">${escapeXml(spec.yLabel)}</text>`);
  legend.forEach((item, i) => {
    const ly = MARGIN.top + 8 + i * 18;
    const lx = MARGIN.left + plotW + 12;
    svg.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${item.color}" stroke-width="2.5"${item.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    svg.push(`<text x="${lx + 28}" y="${ly + 4}" class="legend">${escapeXml(item.name)}</text>`);
  });
  return { svg, x, y };
}

/** A line chart; series with few points also get markers. Empty series are left out. */
export function lineChart(spec: ChartFrame, series: LineSeries[]): string {
  const drawn = series.filter((s) => s.points.length > 0);
  if (drawn.length === 0) throw new Error(`lineChart '${spec.title}': no points to draw`);
  const all = drawn.flatMap((s) => s.points);
  const { svg, x, y } = frame(spec, all.map((p) => p[0]), all.map((p) => p[1]), drawn);
  for (const s of drawn) {
    const d = s.points.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
    svg.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    if (s.points.length <= 30) for (const [px, py] of s.points) svg.push(`<circle cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="3" fill="${s.color}"/>`);
  }
  return `${svg.join('\n')}\n</svg>`;
}

export interface Bar {
  name: string;
  color: string;
  mean: number;
  /** Half-length of the error bar (e.g. the std over seeds); NaN draws none. */
  error: number;
  /** The individual values (one per seed), drawn as dots. */
  values: number[];
}

/** Vertical bars from zero with error bars and the individual values as dots. */
export function barChart(spec: ChartFrame, bars: Bar[]): string {
  if (bars.length === 0) throw new Error(`barChart '${spec.title}': no bars to draw`);
  const err = (b: Bar) => (Number.isFinite(b.error) ? b.error : 0);
  const ys = [0, ...bars.flatMap((b) => [b.mean + err(b), b.mean - err(b), ...b.values])];
  const { svg, x, y } = frame(spec, [], ys, [], bars.map((b) => b.name));
  const slot = x(1) - x(0);
  bars.forEach((b, i) => {
    const cx = x(i + 0.5);
    const top = Math.min(y(b.mean), y(0));
    svg.push(`<rect x="${(cx - slot * 0.3).toFixed(1)}" y="${top.toFixed(1)}" width="${(slot * 0.6).toFixed(1)}" height="${Math.abs(y(0) - y(b.mean)).toFixed(1)}" fill="${b.color}" fill-opacity="0.75"/>`);
    if (err(b) > 0) {
      const [hi, lo] = [y(b.mean + err(b)), y(b.mean - err(b))];
      svg.push(`<path d="M${cx.toFixed(1)},${hi.toFixed(1)} V${lo.toFixed(1)} M${(cx - 8).toFixed(1)},${hi.toFixed(1)} h16 M${(cx - 8).toFixed(1)},${lo.toFixed(1)} h16" stroke="#222" stroke-width="1.5" fill="none"/>`);
    }
    b.values.forEach((v, j) => {
      const dx = (j - (b.values.length - 1) / 2) * 6;
      svg.push(`<circle cx="${(cx + dx).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="#fff" stroke="#222"/>`);
    });
    const labelY = y(Math.max(b.mean + err(b), ...b.values)) - 6;
    svg.push(`<text x="${(cx + slot * 0.32).toFixed(1)}" y="${labelY.toFixed(1)}" class="tick">${escapeXml(b.mean.toFixed(2))}</text>`);
  });
  return `${svg.join('\n')}\n</svg>`;
}
