// The dashboard page: picks a run, follows its event stream (one frame per ~250 ms), draws the
// graph, the series, the books, the votes and the timeline, and posts control actions. Its state
// is kept on window.dashboard (tests and curious users read it there).
'use strict';

const token = new URLSearchParams(location.search).get('token');
const withToken = (path) => (token ? `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : path);
const $ = (id) => document.getElementById(id);
const fmt = (x) => (x === undefined || x === null ? '-' : Number(x).toLocaleString('en-US', { maximumFractionDigits: 2 }));
const COLOURS = ['#0969da', '#8250df', '#1a7f37', '#bf3989', '#9a6700'];

const state = (window.dashboard = {
  run: undefined,
  frames: 0,
  status: undefined,
  paused: false,
  members: [],
  drawnLinks: 0,
  kindsSeen: [],
  linkSignatures: [],
  perMinSeen: [],
  maxPerMin: 0,
  byzantine: [],
  timeline: [],
  series: [],
  drawMs: [],
  takeMs: [],
  lastFrame: undefined,
  errors: [],
});
const layout = new window.GraphLayout();
let source;
let graphKey = '';
/** The runs the selector lists, by id: a followed run's entry is relabelled when its status changes. */
let listed = new Map();

const runLabel = (r) => `${r.live ? '● live · ' : ''}${r.label} (${r.status})`;

async function loadRuns() {
  const res = await fetch(withToken('/api/runs'));
  if (!res.ok) {
    state.errors.push(`runs: ${res.status}`);
    return;
  }
  const { runs } = await res.json();
  listed = new Map(runs.map((r) => [r.id, r]));
  const select = $('run');
  select.replaceChildren(...runs.map((r) => new Option(runLabel(r), r.id)));
  const wanted = new URLSearchParams(location.search).get('run');
  const pick = runs.find((r) => r.id === wanted) || runs[0];
  if (pick) {
    select.value = pick.id;
    follow(pick.id);
  }
}

function follow(id) {
  if (source) source.close();
  Object.assign(state, { run: id, frames: 0, series: [], timeline: [], kindsSeen: [], linkSignatures: [], perMinSeen: [], maxPerMin: 0, byzantine: [] });
  graphKey = '';
  $('timeline').replaceChildren();
  source = new EventSource(withToken(`/api/runs/${encodeURIComponent(id)}/events`));
  source.onmessage = (m) => {
    const t0 = performance.now();
    take(JSON.parse(m.data));
    state.takeMs.push(performance.now() - t0);
    if (state.takeMs.length > 600) state.takeMs.shift();
  };
  source.addEventListener('failure', (m) => state.errors.push(JSON.parse(m.data).error));
}

function take(f) {
  // An ended run sends no more frames (a live run's server stops with it): no reconnecting.
  if (f.status !== 'running') source.close();
  state.frames++;
  state.lastFrame = f;
  state.status = f.status;
  state.paused = f.paused;
  // The selector said "(running)" for the whole life of the page: it follows the run's status.
  const entry = listed.get(state.run);
  if (entry && entry.status !== f.status) {
    entry.status = f.status;
    const option = [...$('run').options].find((o) => o.value === entry.id);
    if (option) option.text = runLabel(entry);
  }
  state.series = [...state.series, ...f.series].slice(-240);
  for (const p of f.series) {
    state.perMinSeen.push(p.perMin);
    state.maxPerMin = Math.max(state.maxPerMin, p.perMin);
  }
  $('status').textContent = f.paused ? 'paused' : f.status;
  $('status').className = `pill ${f.paused ? 'paused' : f.status}`;
  $('clock').textContent = `t = ${fmt(f.t)} ms${f.mode === 'sim' ? ' (virtual)' : ''} · ${f.mode || ''} · ${f.protocol || ''}`;
  $('decided').textContent = fmt(f.decided);
  $('closed').textContent = fmt(f.closed);
  const last = state.series[state.series.length - 1];
  $('permin').textContent = last ? fmt(last.perMin) : '-';
  const lat = [...state.series].reverse().find((p) => p.p50 !== undefined);
  $('p50').textContent = lat ? `${fmt(lat.p50)} ms` : '-';
  $('p99').textContent = lat ? `${fmt(lat.p99)} ms` : '-';
  ledger(f.ledger);
  $('terms').textContent = [f.raftTerm !== undefined ? `Raft term ${f.raftTerm}` : '', f.pbftView !== undefined ? `PBFT view ${f.pbftView}` : '']
    .filter(Boolean)
    .join(' · ');
  weights(f.weights);
  $('votes').replaceChildren(
    ...f.votes
      .slice()
      .reverse()
      .map((v) =>
        li(
          `${v.decision}: ${v.agent} votes ${v.vote}${v.reason ? ` (${v.reason}` : ''}${v.confidence !== undefined ? `; confidence ${v.confidence.toFixed(2)})` : v.reason ? ')' : ''}`,
        ),
      ),
  );
  for (const e of f.timeline) {
    if (state.timeline.some((x) => x.seq === e.seq)) continue;
    state.timeline.push(e);
    const item = li(`t=${fmt(e.t)} ms · ${e.text}`);
    item.className = e.kind;
    $('timeline').prepend(item);
  }
  $('notes').textContent = f.notes.join(' · ');
  controls(f);
  graph(f.graph);
  charts();
}

function li(text) {
  const el = document.createElement('li');
  el.textContent = text;
  return el;
}

function ledger(l) {
  const body = $('ledger').tBodies[0];
  if (!l) {
    body.replaceChildren(row('books', 'shown for a live run, and for a stored run once it ended'));
    return;
  }
  const sum = l.delivered + l.dropped + l.deadLettered + l.inFlight;
  const drops = Object.entries(l.droppedBy || {})
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');
  body.replaceChildren(
    row('sent', fmt(l.sent)),
    row('delivered', fmt(l.delivered)),
    row('dropped', `${fmt(l.dropped)}${drops ? ` (${drops})` : ''}`),
    row('dead-lettered', fmt(l.deadLettered)),
    row('in flight', fmt(l.inFlight)),
    row('books', sum === l.sent ? 'sent = delivered + dropped + dead-lettered + in flight ✓' : `OFF BY ${fmt(l.sent - sum)}`),
  );
  const msgs = state.series[state.series.length - 1];
  if (msgs && msgs.msgsPerSec !== undefined) body.append(row('messages/s', fmt(msgs.msgsPerSec)));
}

/** Dynamic weights: each agent's first weight, an arrow, its weight now (heaviest first). */
function weights(w) {
  $('weights-box').hidden = !w;
  if (!w) return;
  $('weights-after').textContent = `after ${w.decision}${w.more > 0 ? ` · ${w.more} more agents not shown` : ''}`;
  const body = $('weights').tBodies[0];
  body.replaceChildren(
    ...w.agents.map((a) => row(a.agent, `${a.first.toFixed(2)} → ${a.now.toFixed(2)} ${a.now > a.first ? '▲' : a.now < a.first ? '▼' : '='}`)),
  );
}

function row(a, b) {
  const tr = document.createElement('tr');
  tr.innerHTML = '<td></td><td></td>';
  tr.cells[0].textContent = a;
  tr.cells[1].textContent = b;
  return tr;
}

function controls(f) {
  const live = f.controls.length > 0;
  for (const b of document.querySelectorAll('#controls button')) b.disabled = !live || !f.controls.includes(actionOf(b.id));
  $('control-note').textContent = live
    ? `Actions are laid on the run's clock through the scheduler, and appear in its trace.`
    : f.source === 'store'
      ? 'Read from the store: control actions are for a run served live (conclave run --dashboard).'
      : 'The run has ended.';
  const kinds = f.byzantineKinds ?? [];
  const lie = $('lie');
  if (lie.options.length !== kinds.length) lie.replaceChildren(...kinds.map((k) => new Option(k.replaceAll('_', ' '), k)));
  lie.disabled = kinds.length === 0;
  const ids = f.graph ? f.graph.members.map((m) => m.id) : [];
  const select = $('member');
  if (select.options.length !== ids.length) select.replaceChildren(...ids.map((id) => new Option(id, id)));
}

const actionOf = (id) => (id === 'switch' ? 'switch-topology' : id);

function graph(g) {
  const canvas = $('graph');
  $('topology-kind').textContent = g ? `${g.kind} · epoch ${g.epoch} · ${g.size} members` : '(none)';
  if (!g) {
    state.members = [];
    draw(undefined);
    return;
  }
  const teams = !!g.teams;
  const nodes = teams ? g.teams.map((t) => ({ key: t.name, ...t })) : g.members.map((m) => ({ key: m.id, ...m }));
  const drawn = g.complete && nodes.length > 40 ? [] : g.complete ? completeLinks(nodes.length) : g.links;
  const key = `${g.epoch}|${g.kind}|${nodes.map((n) => n.key).join(',')}|${drawn.length}`;
  if (key !== graphKey) {
    graphKey = key;
    layout.update(
      nodes.map((n) => n.key),
      drawn,
      canvas.width,
      canvas.height,
    );
    const signature = `${g.kind}:${drawn.length}`;
    if (state.linkSignatures[state.linkSignatures.length - 1] !== signature) state.linkSignatures.push(signature);
  }
  if (!state.kindsSeen.includes(g.kind)) state.kindsSeen.push(g.kind);
  state.members = teams ? [] : g.members;
  state.teams = g.teams;
  state.drawnLinks = drawn.length;
  state.byzantine = teams ? [] : g.members.filter((m) => m.byzantine).map((m) => m.id);
  state.graphNodes = nodes;
  state.graphLinks = drawn;
}

function completeLinks(n) {
  const out = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out.push([i, j]);
  return out;
}

function draw() {
  const t0 = performance.now();
  const canvas = $('graph');
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const nodes = state.graphNodes || [];
  ctx.strokeStyle = '#afb8c1';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const [i, j] of state.graphLinks || []) {
    const a = layout.at(nodes[i] && nodes[i].key),
      b = layout.at(nodes[j] && nodes[j].key);
    if (!a || !b) continue;
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
  }
  ctx.stroke();
  const labels = nodes.length <= 40;
  for (const n of nodes) {
    const p = layout.at(n.key);
    if (!p) continue;
    const r = n.size !== undefined ? 6 + Math.sqrt(n.size) : 8;
    ctx.beginPath();
    ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
    ctx.fillStyle =
      n.crashed === true ? '#24292f' : n.byzantine === true || n.byzantine > 0 ? '#cf222e' : n.isolated ? '#afb8c1' : n.crashed > 0 ? '#6e7781' : '#54aeff';
    ctx.fill();
    if (n.group !== undefined) {
      ctx.lineWidth = 3;
      ctx.strokeStyle = COLOURS[n.group % COLOURS.length];
      ctx.stroke();
    }
    if (n.compromised) {
      // Made Byzantine during the run: a red ring, filled red once it is caught.
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#cf222e';
      ctx.setLineDash([3, 2]);
      ctx.beginPath();
      ctx.arc(p.x, p.y, r + 2, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    if (n.role || n.lead) {
      ctx.lineWidth = 3;
      ctx.strokeStyle = '#d4a72c';
      ctx.beginPath();
      ctx.arc(p.x, p.y, r + 3, 0, 2 * Math.PI);
      ctx.stroke();
    }
    if (labels || n.size !== undefined) {
      ctx.fillStyle = '#1b1f24';
      ctx.font = '10px system-ui';
      const text = n.size !== undefined ? `${n.key} (${n.size})` : `${n.key}${n.role ? ` · ${n.role}` : ''}`;
      // Right of the node, unless that runs off the canvas (a member on the right edge): then left of it.
      const fits = p.x + r + 2 + ctx.measureText(text).width <= canvas.width;
      ctx.textAlign = fits ? 'left' : 'right';
      ctx.fillText(text, fits ? p.x + r + 2 : p.x - r - 2, p.y + 3);
      ctx.textAlign = 'left';
    }
  }
  state.drawMs.push(performance.now() - t0);
  if (state.drawMs.length > 600) state.drawMs.shift();
}

function charts() {
  chart(
    $('rate-chart'),
    state.series.map((p) => p.perMin),
    '#1a7f37',
    'decisions/min',
  );
  chart(
    $('latency-chart'),
    state.series.map((p) => p.p99),
    '#cf222e',
    'consensus time p99 (ms)',
    state.series.map((p) => p.p50),
    '#0969da',
    'p50',
  );
}

function chart(canvas, values, colour, label, values2, colour2, label2) {
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const all = [...values, ...(values2 || [])].filter((v) => v !== undefined);
  const max = Math.max(1, ...all);
  const line = (vs, c) => {
    ctx.strokeStyle = c;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let started = false;
    vs.forEach((v, i) => {
      if (v === undefined) return;
      const x = 30 + (i / Math.max(1, vs.length - 1)) * (canvas.width - 40);
      const y = canvas.height - 15 - (v / max) * (canvas.height - 30);
      if (started) ctx.lineTo(x, y);
      else {
        ctx.moveTo(x, y);
        started = true;
      }
    });
    ctx.stroke();
  };
  line(values, colour);
  if (values2) line(values2, colour2);
  ctx.fillStyle = '#57606a';
  ctx.font = '10px system-ui';
  ctx.fillText(`${label}${label2 ? ` / ${label2}` : ''} · max ${fmt(max)}`, 30, 10);
}

async function act(body) {
  const res = await fetch(withToken(`/api/runs/${encodeURIComponent(state.run)}/control`), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await res.json();
  $('control-result').textContent = res.ok ? answer.text : `refused: ${answer.error}`;
  state.lastControl = { ok: res.ok, ...answer };
}

$('run').onchange = (e) => follow(e.target.value);
$('pause').onclick = () => act({ action: 'pause' });
$('resume').onclick = () => act({ action: 'resume' });
$('switch').onclick = () => act({ action: 'switch-topology', topology: $('topology').value });
$('crash').onclick = () => act({ action: 'crash', member: $('member').value });
$('recover').onclick = () => act({ action: 'recover', member: $('member').value });
$('isolate').onclick = () => act({ action: 'isolate', member: $('member').value });
$('heal').onclick = () => act({ action: 'heal' });
$('byzantine').onclick = () => act({ action: 'byzantine', member: $('member').value, kinds: [$('lie').value] });
$('partition').onclick = () => {
  const ids = state.members.map((m) => m.id);
  const half = Math.ceil(ids.length / 2);
  act({ action: 'partition', groups: [ids.slice(0, half), ids.slice(half)] });
};

function animate() {
  layout.step();
  draw();
  requestAnimationFrame(animate);
}
requestAnimationFrame(animate);
loadRuns();
