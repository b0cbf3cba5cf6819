// A small force layout on a canvas (no library, nothing fetched): nodes repel each other, links
// pull their ends together, a weak pull keeps everything near the centre. O(n^2) per step, so the
// server aggregates members into teams above 200 members and the page never lays out more.
'use strict';

window.GraphLayout = class GraphLayout {
  constructor() {
    this.pos = new Map(); // key -> {x, y, vx, vy}
    this.heat = 1;
  }

  /** Keeps positions of nodes that stay; places new ones on a circle; reheats when the graph changed. */
  update(keys, links, width, height) {
    const next = new Map();
    const r = Math.min(width, height) * 0.38;
    keys.forEach((k, i) => {
      const old = this.pos.get(k);
      const a = (2 * Math.PI * i) / Math.max(1, keys.length);
      next.set(k, old || { x: width / 2 + r * Math.cos(a), y: height / 2 + r * Math.sin(a), vx: 0, vy: 0 });
    });
    this.pos = next;
    this.keys = keys;
    this.links = links;
    this.width = width;
    this.height = height;
    this.heat = 1;
  }

  /** One step of the simulation; returns false once it has cooled (nothing left to move). */
  step() {
    if (this.heat < 0.02 || !this.keys) return false;
    const nodes = this.keys.map((k) => this.pos.get(k));
    const n = nodes.length;
    const ideal = Math.max(18, Math.min(this.width, this.height) / (1.5 * Math.sqrt(n + 1)));
    for (let i = 0; i < n; i++) {
      const a = nodes[i];
      for (let j = i + 1; j < n; j++) {
        const b = nodes[j];
        let dx = a.x - b.x,
          dy = a.y - b.y;
        let d2 = dx * dx + dy * dy;
        if (d2 < 0.01) {
          dx = 0.1 * (i - j);
          dy = 0.1;
          d2 = dx * dx + dy * dy;
        }
        const f = (ideal * ideal) / d2;
        a.vx += dx * f * 0.05;
        a.vy += dy * f * 0.05;
        b.vx -= dx * f * 0.05;
        b.vy -= dy * f * 0.05;
      }
    }
    if (this.links.length <= 4 * n) {
      for (const [i, j] of this.links) {
        const a = nodes[i],
          b = nodes[j];
        if (!a || !b) continue;
        const dx = b.x - a.x,
          dy = b.y - a.y;
        const d = Math.sqrt(dx * dx + dy * dy) || 1;
        const f = ((d - ideal) / d) * 0.05;
        a.vx += dx * f;
        a.vy += dy * f;
        b.vx -= dx * f;
        b.vy -= dy * f;
      }
    }
    let moved = 0;
    for (const p of nodes) {
      p.vx += (this.width / 2 - p.x) * 0.005;
      p.vy += (this.height / 2 - p.y) * 0.005;
      const cap = 10 * this.heat;
      p.vx = Math.max(-cap, Math.min(cap, p.vx));
      p.vy = Math.max(-cap, Math.min(cap, p.vy));
      p.x = Math.max(12, Math.min(this.width - 12, p.x + p.vx));
      p.y = Math.max(12, Math.min(this.height - 12, p.y + p.vy));
      moved += Math.abs(p.vx) + Math.abs(p.vy);
      p.vx *= 0.5;
      p.vy *= 0.5;
    }
    this.heat *= 0.97;
    return moved > 0.05 * n;
  }

  at(key) {
    return this.pos.get(key);
  }
};
