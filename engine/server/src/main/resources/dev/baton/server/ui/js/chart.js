// A small line chart in SVG: a few series over time, with the latest value of each in the legend.

import {s, h} from './dom.js';

const COLOURS = ['#0b57d0', '#1e7a34', '#b3261e', '#8a5300', '#6b3fa0', '#00796b'];

/**
 * @param series [{name, points: [[timeMs, value], ...]}]
 * @param opts {id, label (accessible name), unit, windowMs}
 */
export function lineChart(series, opts) {
  const width = 460, height = 140, left = 44, bottom = 18, top = 8;
  const now = Date.now();
  const from = now - opts.windowMs;
  const all = series.flatMap(x => x.points.filter(([t]) => t >= from).map(([, v]) => v)).filter(v => v !== null);
  const max = Math.max(1e-9, ...all) * 1.1;
  const x = t => left + (t - from) / opts.windowMs * (width - left - 4);
  const y = v => top + (1 - v / max) * (height - top - bottom);
  const fmt = v => v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  const grid = [0, 0.5, 1].map(f => [
    s('line', {class: 'grid', x1: left, x2: width - 4, y1: y(max * f / 1.1), y2: y(max * f / 1.1)}),
    s('text', {class: 'tick', x: left - 4, y: y(max * f / 1.1) + 4, 'text-anchor': 'end'}, fmt(max * f / 1.1))]);
  const lines = series.map((ser, i) => {
    const pts = ser.points.filter(([t, v]) => t >= from && v !== null);
    if (pts.length === 0) return null;
    const d = pts.map(([t, v], j) => `${j ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    return s('path', {class: 'line', d, stroke: COLOURS[i % COLOURS.length]});
  });
  const svg = s('svg', {id: opts.id, viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img',
    'aria-label': opts.label}, ...grid.flat(),
  s('text', {class: 'tick', x: left, y: height - 4}, `-${Math.round(opts.windowMs / 60000)} min`),
  s('text', {class: 'tick', x: width - 4, y: height - 4, 'text-anchor': 'end'}, 'now'), ...lines);
  const legend = h('div', {class: 'legend'}, series.map((ser, i) => {
    const last = ser.points.length ? ser.points[ser.points.length - 1][1] : null;
    return h('span', {class: `series c${i % COLOURS.length}`, dataset: {name: ser.name}},
      `${ser.name}: ${last === null ? '–' : fmt(last)} ${opts.unit}`);
  }));
  return h('figure', {class: 'chart'}, h('figcaption', {}, opts.label), svg, legend);
}

export const SERIES_COLOURS = COLOURS;
