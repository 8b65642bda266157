/**
 * Sent and failed pushes per minute as a small SVG bar chart: two series over 60 minutes does not
 * need a charting library. Bars of each minute side by side; the y axis scales to the busiest
 * minute; hovering a bar shows its numbers (an SVG <title>).
 */
import type { MinuteBucket } from '../data/minutes';

const SVG = 'http://www.w3.org/2000/svg';
const W = 1100;
const H = 190;
const PAD = { left: 36, right: 8, top: 10, bottom: 22 };

function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A round number at or above `n`, for the y axis (1, 2, 5, 10, 20, 50, ...). */
function niceMax(n: number): number {
  if (n <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= n) ?? 10 * p;
}

const hhmm = (ms: number) => {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

export function minuteChart(buckets: MinuteBucket[]): SVGSVGElement {
  const svg = el('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'chart',
    role: 'img',
    'aria-label': 'sent and failed pushes per minute, last hour',
  });
  const max = niceMax(Math.max(0, ...buckets.map((b) => Math.max(b.sent, b.failed))));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, buckets.length);
  const bar = Math.max(1, slot / 2 - 0.5);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;

  // Counts are whole numbers: no 0.5 tick when the busiest minute had one push.
  for (const v of [0, max / 2, max].filter(Number.isInteger)) {
    svg.append(el('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(
      el('text', { x: PAD.left - 4, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, String(v)),
    );
  }
  buckets.forEach((b, i) => {
    const x = PAD.left + i * slot;
    const g = el('g', {});
    g.append(el('title', {}, `${hhmm(b.start)}: ${b.sent} sent, ${b.failed} failed`));
    if (b.sent)
      g.append(
        el('rect', { x, y: y(b.sent), width: bar, height: y(0) - y(b.sent), class: 'sent' }),
      );
    if (b.failed) {
      g.append(
        el('rect', {
          x: x + bar,
          y: y(b.failed),
          width: bar,
          height: y(0) - y(b.failed),
          class: 'failed',
        }),
      );
    }
    // An invisible full-height target, so empty minutes have a tooltip too.
    g.append(el('rect', { x, y: PAD.top, width: slot, height: plotH, class: 'hit' }));
    svg.append(g);
    if (i % 10 === 0 || i === buckets.length - 1) {
      svg.append(
        el(
          'text',
          { x: x + slot / 2, y: H - 6, class: 'axis', 'text-anchor': 'middle' },
          hhmm(b.start),
        ),
      );
    }
  });
  return svg;
}
