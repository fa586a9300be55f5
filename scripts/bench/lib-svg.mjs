// A hand-built SVG line chart: small multiples (one panel per measure) sharing the x axis, one line per
// series, a marker and its value at every point. No dependency; the output is stable text.

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** 0, a "nice" step (1, 2, 2.5, 5 × 10^k) and the axis top covering `max`. */
export function niceTicks(max, count = 5) {
  if (!(max > 0)) return { step: 1, top: 1, ticks: [0, 1] };
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= raw);
  const top = Math.ceil(max / step) * step;
  const ticks = [];
  for (let v = 0; v <= top + step / 1e9; v += step) ticks.push(Number(v.toPrecision(12)));
  return { step, top, ticks };
}

const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1));

/**
 * panels: [{ title, unit, series: [{ name, color, dash?, width?, points: [{ x, y }] }], hlines?: [{ y, label }] }];
 * xs: the shared x values. The legend shows the first panel's series.
 * Returns the SVG text.
 */
export function lineChart({ title, subtitle, xLabel, xs, panels, width = 960, height = 420 }) {
  const pad = { top: 96, bottom: 56, left: 58, right: 44, gap: 80 };
  const pw = (width - pad.left - pad.right - pad.gap * (panels.length - 1)) / panels.length;
  const ph = height - pad.top - pad.bottom;
  const xMax = Math.max(...xs);
  const xt = niceTicks(xMax, 4);
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
      ` font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${pad.left}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`);
  if (subtitle) out.push(`<text x="${pad.left}" y="40" fill="#555">${esc(subtitle)}</text>`);

  // legend from the first panel's series
  let lx = pad.left;
  for (const s of panels[0].series) {
    out.push(
      `<line x1="${lx}" y1="58" x2="${lx + 26}" y2="58" stroke="${s.color}"` +
        ` stroke-width="${s.width ?? 2.5}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
    );
    if (!s.width) out.push(`<circle cx="${lx + 13}" cy="58" r="3.5" fill="${s.color}"/>`);
    out.push(`<text x="${lx + 32}" y="62">${esc(s.name)}</text>`);
    lx += 40 + s.name.length * 6.6;
  }

  panels.forEach((p, k) => {
    const x0 = pad.left + k * (pw + pad.gap);
    const y0 = pad.top + ph;
    const yMax = Math.max(
      1e-9,
      ...p.series.flatMap((s) => s.points.map((pt) => pt.y)).filter(Number.isFinite),
      ...(p.hlines ?? []).map((h) => h.y),
    );
    const yt = niceTicks(yMax * 1.08, 5);
    const X = (x) => x0 + (x / xt.top) * pw;
    const Y = (y) => y0 - (y / yt.top) * ph;
    out.push(`<g>`);
    for (const v of yt.ticks) {
      out.push(
        `<line x1="${x0}" y1="${Y(v).toFixed(1)}" x2="${(x0 + pw).toFixed(1)}" y2="${Y(v).toFixed(1)}"` +
          ` stroke="#e5e5e5"/>`,
      );
      out.push(`<text x="${x0 - 6}" y="${(Y(v) + 4).toFixed(1)}" text-anchor="end" fill="#444">${fmt(v)}</text>`);
    }
    for (const v of xt.ticks) {
      out.push(`<line x1="${X(v).toFixed(1)}" y1="${y0}" x2="${X(v).toFixed(1)}" y2="${y0 + 5}" stroke="#444"/>`);
      out.push(`<text x="${X(v).toFixed(1)}" y="${y0 + 18}" text-anchor="middle" fill="#444">${v}</text>`);
    }
    out.push(`<line x1="${x0}" y1="${y0}" x2="${(x0 + pw).toFixed(1)}" y2="${y0}" stroke="#444"/>`);
    out.push(`<line x1="${x0}" y1="${pad.top}" x2="${x0}" y2="${y0}" stroke="#444"/>`);
    out.push(`<text x="${(x0 + pw / 2).toFixed(1)}" y="${height - 14}" text-anchor="middle">${esc(xLabel)}</text>`);
    out.push(
      `<text x="${x0}" y="${pad.top - 12}"` +
        ` font-weight="bold">${esc(p.title)}${p.unit ? ` (${esc(p.unit)})` : ''}</text>`,
    );
    for (const h of p.hlines ?? []) {
      out.push(
        `<line x1="${x0}" y1="${Y(h.y).toFixed(1)}" x2="${(x0 + pw).toFixed(1)}" y2="${Y(h.y).toFixed(1)}"` +
          ` stroke="#888" stroke-width="1.2" stroke-dasharray="8 4"/>`,
      );
      out.push(
        `<text x="${(x0 + 4).toFixed(1)}" y="${(Y(h.y) - 5).toFixed(1)}" font-size="10"` +
          ` fill="#666">${esc(h.label)}</text>`,
      );
    }
    p.series.forEach((s, si) => {
      const pts = s.points.filter((pt) => Number.isFinite(pt.y)).sort((a, b) => a.x - b.x);
      if (pts.length === 0) return;
      const d = pts.map((pt, i) => `${i === 0 ? 'M' : 'L'}${X(pt.x).toFixed(1)},${Y(pt.y).toFixed(1)}`).join(' ');
      out.push(
        `<path d="${d}" fill="none" stroke="${s.color}"` +
          ` stroke-width="${s.width ?? 2.5}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
      );
      if (s.width) return; // a thin reference line: no markers, no values
      // value labels: the first series above its points, the others below, alternating sides, so
      // close values of different series do not print over each other
      const [dx, dy, anchor] = si === 0 ? [0, -8, 'middle'] : si % 2 === 1 ? [6, 15, 'start'] : [-6, 15, 'end'];
      for (const pt of pts) {
        out.push(`<circle cx="${X(pt.x).toFixed(1)}" cy="${Y(pt.y).toFixed(1)}" r="3.5" fill="${s.color}"/>`);
        out.push(
          `<text x="${(X(pt.x) + dx).toFixed(1)}" y="${(Y(pt.y) + dy).toFixed(1)}" font-size="10"` +
            ` text-anchor="${anchor}" fill="${s.color}">${fmt(pt.y)}</text>`,
        );
      }
    });
    out.push(`</g>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
