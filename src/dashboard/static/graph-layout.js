// The graph's force layout: d3-force (Barnes-Hut repulsion through a quadtree, O(n log n) a tick),
// served from the package with its three modules (no CDN). The page steps it once per animation
// frame; d3's own timer is never started. The server draws teams instead of members above 200
// members, so the page lays out at most a few hundred nodes (npm run bench -- graph-layout).
'use strict';

window.GraphLayout = class GraphLayout {
  constructor() {
    this.pos = new Map(); // key -> node {key, x, y, vx, vy} (d3 moves them in place)
    this.sim = undefined;
  }

  /** Keeps positions of nodes that stay; places new ones on a circle; restarts the simulation for the new graph. */
  update(keys, links, width, height) {
    const r = Math.min(width, height) * 0.38;
    const nodes = keys.map((k, i) => {
      const old = this.pos.get(k);
      const a = (2 * Math.PI * i) / Math.max(1, keys.length);
      return old || { key: k, x: width / 2 + r * Math.cos(a), y: height / 2 + r * Math.sin(a) };
    });
    this.pos = new Map(nodes.map((n) => [n.key, n]));
    this.width = width;
    this.height = height;
    const n = nodes.length;
    const ideal = Math.max(18, Math.min(width, height) / (1.5 * Math.sqrt(n + 1)));
    if (this.sim) this.sim.stop();
    // Links pull only where they are few (a dense graph's links would pull everything into a ball).
    const pulled = links.length <= 4 * n ? links.map(([source, target]) => ({ source, target })) : [];
    this.sim = window.d3
      .forceSimulation(nodes)
      .force('charge', window.d3.forceManyBody().strength(-ideal * 2.5))
      .force('link', window.d3.forceLink(pulled).distance(ideal))
      .force('x', window.d3.forceX(width / 2).strength(0.04))
      .force('y', window.d3.forceY(height / 2).strength(0.04))
      .stop();
  }

  /** One tick of the simulation, nodes kept on the canvas; false once it has cooled (nothing left to move). */
  step() {
    if (!this.sim || this.sim.alpha() < this.sim.alphaMin()) return false;
    this.sim.tick();
    for (const p of this.pos.values()) {
      p.x = Math.max(12, Math.min(this.width - 12, p.x));
      p.y = Math.max(12, Math.min(this.height - 12, p.y));
    }
    return true;
  }

  at(key) {
    return this.pos.get(key);
  }
};
