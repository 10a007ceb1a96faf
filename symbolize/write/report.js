(function () {
  'use strict';
  const D = JSON.parse(document.getElementById('rtprof-data').textContent);

  /* ---- helpers ---- */
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) {
      const v = attrs[k];
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of kids) if (c !== null && c !== undefined) e.append(c);
    return e;
  }
  const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  function bytes(v) {
    const a = Math.abs(v);
    if (a < 1024) return (v < 0 ? '-' : '') + a + ' B';
    let d = a / 1024, u = 0;
    while (d >= 1024 && u < 5) { d /= 1024; u++; }
    return (v < 0 ? '-' : '') + d.toFixed(1) + ' ' + UNITS[u];
  }
  function sbytes(v) { return (v > 0 ? '+' : '') + bytes(v); }
  function count(v) { return Number(v).toLocaleString('en-US'); }
  function dur(ns) {
    if (ns < 1e3) return ns + ' ns';
    if (ns < 1e6) return (ns / 1e3).toFixed(1) + ' us';
    if (ns < 1e9) return (ns / 1e6).toFixed(1) + ' ms';
    return (ns / 1e9).toFixed(2) + ' s';
  }
  function exact(v, unit) { return count(v) + (unit ? ' ' + unit : ''); }
  const sitesById = new Map(D.sites.map(s => [s.id, s]));
  function siteName(id) {
    const s = sitesById.get(id);
    return s ? s.frames[0][0] : 'site ' + id;
  }

  /* ---- header ---- */
  function header() {
    const meta = document.getElementById('meta');
    for (const d of D.dumps) {
      let t = 'dump ' + d.file + (D.dumps.length > 1 ? ': ' + d.program : '') + ' (pid ' + d.pid + ', depth ' +
        d.depth + ', written at ' + d.reason;
      if (d.snapshots) t += ', ' + d.snapshots + ' snapshot' + (d.snapshots === 1 ? '' : 's') +
        (d.interval_ms ? ' every ' + d.interval_ms + ' ms' : '');
      meta.append(el('div', {text: t + ')'}));
    }
    const sy = D.symbols, bad = sy.addresses - sy.resolved;
    meta.append(el('div', {text: bad === 0 ? 'symbols: all ' + sy.addresses + ' addresses resolved to file:line'
      : 'symbols: ' + bad + ' of ' + sy.addresses + ' addresses not resolved to file:line' +
        sy.unresolved.map(u => '; ' + u.module + ': ' + u.reason + (u.detail ? ' (' + u.detail + ')' : '') +
          ' - ' + u.addresses).join('')}));
    const opts = [];
    if (D.skip !== null) opts.push('--skip ' + D.skip);
    if (D.phase !== null) opts.push('--phase ' + D.phase);
    if (D.merged) opts.push(D.merged + ' dump sites merged into others with the same symbolized identity');
    if (opts.length) meta.append(el('div', {text: opts.join('; ')}));
    const nav = document.getElementById('nav');
    for (const s of document.querySelectorAll('main > section')) {
      if (s.hidden) continue;
      nav.append(el('a', {href: '#' + s.id, text: s.querySelector('h2').textContent}));
    }
  }

  function totals() {
    const t = D.totals, g = document.getElementById('totals-grid');
    const cards = [
      ['allocated', bytes(t.alloc_bytes), exact(t.alloc_bytes, 'B') + ' in ' + count(t.allocs) + ' allocs'],
      ['freed', bytes(t.freed_bytes), exact(t.freed_bytes, 'B') + ' in ' + count(t.frees) + ' frees'],
      ['live at exit', bytes(t.live_bytes), exact(t.live_bytes, 'B') + ' in ' + count(t.live_blocks) + ' blocks', t.live_bytes > 0],
      ['peak live', bytes(t.peak_live_bytes), exact(t.peak_live_bytes, 'B')],
      ['committed', bytes(t.committed_bytes), exact(t.committed_bytes, 'B')],
      ['peak committed', bytes(t.peak_committed_bytes), exact(t.peak_committed_bytes, 'B'), true],
      ['RSS', bytes(t.rss_bytes), exact(t.rss_bytes, 'B')],
      ['peak RSS', bytes(t.peak_rss_bytes), exact(t.peak_rss_bytes, 'B')],
      ['profiler overhead', bytes(t.overhead_bytes), exact(t.overhead_bytes, 'B')],
      ['failed allocs', count(t.failed_allocs), '', t.failed_allocs > 0],
      ['sites', count(D.nsites), D.nleaks + ' with live bytes at exit'],
      ['errors', count(D.errors.reduce((a, e) => a + e.count, 0)), D.errors.length + ' distinct', D.errors.length > 0],
    ];
    for (const [k, v, x, hot] of cards)
      g.append(el('div', {class: hot ? 'card hot' : 'card'}, el('div', {class: 'k', text: k}),
        el('div', {class: 'v', text: v}), el('div', {class: 'x', text: x})));
  }

  /* ---- a table sortable by clicking its headers ---- */
  /* cols: {key, label, num, fmt(row) -> text or node, val(row) -> sort value, title} */
  function sortableTable(id, cols, rows, sortKey, desc) {
    const head = el('tr'), body = el('tbody');
    const table = el('table', {id: id, class: 'sortable'}, el('thead', null, head), body);
    const trs = new Map();
    for (const r of rows) {
      const tr = el('tr', {'data-id': r.id});
      for (const c of cols) {
        const v = c.val(r), shown = c.fmt ? c.fmt(r) : v;
        const td = el('td', {class: c.cls || (c.num ? 'num' : null), 'data-key': c.key, 'data-v': v,
          title: c.num && c.unit !== undefined ? exact(v, c.unit) : null});
        td.append(shown);
        tr.append(td);
      }
      trs.set(r, tr);
    }
    const ths = cols.map(c => {
      const th = el('th', {class: c.num ? 'num' : null, 'data-key': c.key, title: (c.title ? c.title + '. ' : '') + 'Click to sort'},
        el('span', {class: 'arrow'}), c.label);
      th.addEventListener('click', () => {
        if (sortKey === c.key) desc = !desc;
        else { sortKey = c.key; desc = !!c.num; }
        render();
      });
      head.append(th);
      return th;
    });
    function render() {
      const c = cols.find(x => x.key === sortKey);
      const sorted = rows.slice().sort((a, b) => {
        const x = c.val(a), y = c.val(b);
        let r = c.num ? x - y : String(x).localeCompare(String(y));
        if (r === 0) r = a.rank - b.rank;
        else if (desc) r = -r;
        return r;
      });
      body.replaceChildren(...sorted.map(r => trs.get(r)));
      cols.forEach((x, i) => {
        const on = x.key === sortKey;
        ths[i].setAttribute('aria-sort', on ? (desc ? 'descending' : 'ascending') : 'none');
        ths[i].firstChild.textContent = on ? (desc ? '\u25bc' : '\u25b2') : '';
      });
    }
    render();
    return table;
  }

  /* The site cell: its first frame, the functions it is inlined into, and
   * the rest of the stack folded under "stack". */
  function siteCell(s) {
    const f = el('div', {class: 'frames'});
    f.append(el('div', {text: s.frames[0][0]}));
    let k = 1;
    while (k < s.frames.length && s.frames[k - 1][1]) f.append(el('div', {class: 'inl', text: 'inlined into ' + s.frames[k++][0]}));
    if (k < s.frames.length || s.folded.length) {
      const det = el('details', null, el('summary', {text: 'stack: ' + (s.frames.length - k) + ' more frame' +
        (s.frames.length - k === 1 ? '' : 's') + (s.folded.length ? ', ' + s.folded.length + ' folded by --skip' : '')}));
      for (; k < s.frames.length; k++)
        det.append(el('div', {class: s.frames[k - 1][1] ? 'inl' : 'caller',
          text: (s.frames[k - 1][1] ? 'inlined into ' : 'called from ') + s.frames[k][0]}));
      for (const fr of s.folded) det.append(el('div', {class: 'folded', text: 'folded by --skip: ' + fr[0]}));
      f.append(det);
    }
    return f;
  }

  const SITE_COLS = {
    rank: {key: 'rank', label: '#', num: true, val: s => s.rank, title: 'Rank by ' + D.sort.replace('_', ' ')},
    id: {key: 'id', label: 'id', num: true, val: s => s.id},
    alloc_bytes: {key: 'alloc_bytes', label: 'alloc bytes', num: true, unit: 'B', val: s => s.alloc_bytes, fmt: s => bytes(s.alloc_bytes)},
    allocs: {key: 'allocs', label: 'allocs', num: true, val: s => s.allocs, fmt: s => count(s.allocs)},
    frees: {key: 'frees', label: 'frees', num: true, val: s => s.frees, fmt: s => count(s.frees)},
    live_bytes: {key: 'live_bytes', label: 'live bytes', num: true, unit: 'B', val: s => s.live_bytes, fmt: s => bytes(s.live_bytes)},
    live_blocks: {key: 'live_blocks', label: 'live blocks', num: true, val: s => s.live_blocks, fmt: s => count(s.live_blocks)},
    peak_live_bytes: {key: 'peak_live_bytes', label: 'own peak', num: true, unit: 'B', val: s => s.peak_live_bytes,
      fmt: s => bytes(s.peak_live_bytes), title: 'The site\'s own highest live bytes, at any moment (not the process\'s peak)'},
    at_peak: {key: 'at_peak', label: 'at the peak', num: true, unit: 'B', val: s => s.at_peak,
      fmt: s => bytes(s.at_peak), title: 'Live bytes of the site at the process\'s highest live bytes'},
    site: {key: 'site', label: 'site (function file:line)', cls: 'site', val: s => s.frames[0][0], fmt: siteCell},
  };

  function sites() {
    const rows = D.sites.filter(s => s.table);
    const body = document.getElementById('sites-body');
    body.append(el('p', {class: 'note', text: rows.length + ' of ' + D.nsites + ' sites, the largest by ' +
      D.sort.replace('_', ' ') + (D.top && rows.length < D.nsites ? ' (--top ' + D.top + ')' : '') +
      '. Click a column header to sort by it; click again to reverse.'}));
    const c = SITE_COLS;
    body.append(sortableTable('sites-table', [c.rank, c.id, c.alloc_bytes, c.allocs, c.frees, c.live_bytes, c.live_blocks,
      c.peak_live_bytes, c.site], rows, D.sort, true));
  }

  function leaks() {
    const rows = D.sites.filter(s => s.leak).sort((a, b) => b.live_bytes - a.live_bytes || a.id - b.id)
      .map((s, i) => Object.assign({}, s, {rank: i + 1}));
    const body = document.getElementById('leaks-body');
    if (!rows.length) { body.append(el('p', {class: 'note', text: 'None: every block was freed.'})); return; }
    body.append(el('p', {class: 'note', text: rows.length + ' of ' + D.nleaks +
      ' sites with bytes still live when the dump was written, the largest first.'}));
    const c = SITE_COLS;
    body.append(sortableTable('leaks-table', [Object.assign({}, c.rank, {title: 'Rank by live bytes'}), c.id,
      c.live_bytes, c.live_blocks, c.alloc_bytes, c.allocs, c.site], rows, 'live_bytes', true));
  }

  /* ---- the peak, growing sites, where the memory is ---- */
  function peak() {
    const P = D.peak;
    if (!P) return;
    const sec = document.getElementById('peak'), body = document.getElementById('peak-body');
    sec.hidden = false;
    body.append(el('p', {class: 'note', text: 'At the process\'s highest live bytes, ' + bytes(P.total_live_bytes) +
      ' at ' + dur(P.time_ns) + (P.phase ? ', in ' + P.phase : '') + ' (the live peak marked on the timeline): ' +
      'what each site held then (not its own maximum), and each phase (flat). Also ' + bytes(P.suppressed_live_bytes) +
      ' in suppressed sites, ' + bytes(P.outside_phases_live_bytes) + ' allocated outside every phase.'}));
    const rows = P.sites.map((p, i) => Object.assign({}, sitesById.get(p.id), {rank: i + 1,
      share: P.total_live_bytes ? p.live_bytes / P.total_live_bytes : 0}));
    const c = SITE_COLS, share = {key: 'share', label: 'share', num: true, val: s => s.share,
      fmt: s => (100 * s.share).toFixed(1) + '%'};
    body.append(sortableTable('peak-table', [Object.assign({}, c.rank, {title: 'Rank by bytes at the peak'}), c.id,
      c.at_peak, share, c.live_bytes, c.site], rows, 'at_peak', true));
    const prow = P.phases.map(p => ({path: p.path, at_peak: p.live_bytes,
      share: P.total_live_bytes ? p.live_bytes / P.total_live_bytes : 0}));
    body.append(sortableTable('peak-phases-table', [c.at_peak, share,
      {key: 'path', label: 'phase (flat)', val: p => p.path}], prow, 'at_peak', true));
  }

  function growing() {
    if (!D.growing || !D.growing.length) return;
    document.getElementById('growing').hidden = false;
    const body = document.getElementById('growing-body');
    body.append(el('p', {class: 'note', text: 'Sites whose live bytes rise over the calls of a phase (bytes per call ' +
      'after the first), or over the run (the snapshots\' top sites).'}));
    const rows = D.growing.map((g, i) => Object.assign({}, sitesById.get(g.id), {rank: i + 1, growth:
      g.last_live_bytes - g.first_live_bytes, per_call: g.per_call_bytes, over: g.phase ? g.calls + ' calls of ' +
      g.phase : dur(g.t_last_ns - g.t_first_ns) + ', ' + g.points + ' snapshots'}));
    const c = SITE_COLS;
    body.append(sortableTable('growing-table', [c.rank, c.id,
      {key: 'growth', label: 'growth', num: true, val: s => s.growth, fmt: s => sbytes(s.growth)},
      {key: 'per_call', label: 'per call', num: true, val: s => s.per_call, fmt: s => s.per_call ? bytes(s.per_call) : '-'},
      {key: 'over', label: 'over', val: s => s.over}, c.site], rows, 'growth', true));
  }

  function memory() {
    const M = D.memory;
    if (!M) return;
    document.getElementById('memory').hidden = false;
    const body = document.getElementById('memory-body');
    body.append(el('p', {class: 'note', text: 'RSS = live + slack + rtprof + rest. Slack: committed by the ' +
      'allocator but not requested (committed - live - tags); rtprof: tags and tables; rest: RSS - committed - ' +
      'tables (negative when committed or mapped pages were never touched).'}));
    for (const [when, s] of [['at the peak', M.peak], ['at exit', M.exit]]) {
      if (!s) continue;
      const g = el('div', {class: 'cards'});
      for (const [k, v] of [['RSS', s.rss_bytes], ['live', s.live_bytes], ['slack', s.slack_bytes],
                            ['rtprof', s.rtprof_bytes], ['rest', s.rest_bytes], ['committed', s.committed_bytes]])
        g.append(el('div', {class: 'card'}, el('div', {class: 'k', text: k + ' ' + when}),
          el('div', {class: 'v', text: v < 0 ? sbytes(v) : bytes(v)}), el('div', {class: 'x', text: exact(v, 'B')})));
      body.append(g);
    }
  }

  /* ---- the phase tree ---- */
  function phases() {
    const body = document.getElementById('phases-body');
    const P = D.phases;
    if (!P.length) { body.append(el('p', {class: 'note', text: 'No phases: bracket the program\'s phases with PROFILE_PHASE to see them here.'})); return; }
    body.append(el('p', {class: 'note', text: 'Committed and live deltas are summed over calls; allocs and bytes are flat ' +
      '(while the phase was the innermost), cum includes nested phases; live is what the phase allocated that was still live at exit. ' +
      'Click \u25be to fold a subtree, a site count to list the phase\'s sites.'}));
    const hasKids = P.map(() => false);
    P.forEach(p => { if (p.parent >= 0) hasKids[p.parent] = true; });
    const maxDelta = Math.max(1, ...P.map(p => Math.abs(p.committed_delta)));
    const folded = P.map(() => false), listing = P.map(() => false);
    const rows = [], subs = [];
    const tb = el('tbody');
    const heads = [['phase', ''], ['calls', 'num'], ['committed \u0394', 'num'], ['max/call', 'num'], ['live \u0394', 'num'],
      ['allocs', 'num'], ['bytes', 'num'], ['cum bytes', 'num'], ['live', 'num'], ['cum live', 'num'], ['wall', 'num'], ['sites', 'num']];
    const table = el('table', {id: 'phase-table', class: 'phases'},
      el('thead', null, el('tr', null, ...heads.map(([h, c]) => el('th', {class: c || null, text: h})))), tb);
    function sign(v) { return v > 0 ? 'pos' : v < 0 ? 'neg' : null; }
    function visible(i) {
      for (let p = P[i].parent; p >= 0; p = P[p].parent) if (folded[p]) return false;
      return true;
    }
    function update() {
      P.forEach((p, i) => {
        const v = visible(i);
        rows[i].hidden = !v;
        subs[i].hidden = !v || !listing[i];
        const b = rows[i].querySelector('button.tog');
        b.textContent = folded[i] ? '\u25b8' : '\u25be';
        b.setAttribute('aria-expanded', String(!folded[i]));
      });
    }
    P.forEach((p, i) => {
      const tog = el('button', {class: 'tog', title: 'Fold or unfold the nested phases', disabled: !hasKids[i]});
      tog.addEventListener('click', () => { folded[i] = !folded[i]; update(); });
      const name = el('td', {class: 'name', style: 'padding-left:' + (8 + 18 * p.depth) + 'px', title: p.path},
        tog, p.name, p.open ? el('span', {class: 'open-tag', text: ' [' + p.open + ' open]'}) : null);
      const bar = el('td', {class: 'num bar ' + (sign(p.committed_delta) || ''), title: exact(p.committed_delta, 'B')},
        el('i', {class: p.committed_delta < 0 ? 'neg' : null, style: 'width:' + (100 * Math.abs(p.committed_delta) / maxDelta).toFixed(1) + '%'}),
        el('span', {text: sbytes(p.committed_delta)}));
      const link = p.nsites ? el('a', {class: 'sites', text: String(p.nsites)}) : document.createTextNode('0');
      const tr = el('tr', {'data-path': p.path, 'data-depth': p.depth}, name,
        el('td', {class: 'num', text: count(p.calls)}), bar,
        el('td', {class: 'num ' + (sign(p.committed_delta_max) || ''), title: exact(p.committed_delta_max, 'B'), text: sbytes(p.committed_delta_max)}),
        el('td', {class: 'num ' + (sign(p.live_delta) || ''), title: exact(p.live_delta, 'B'), text: sbytes(p.live_delta)}),
        el('td', {class: 'num', text: count(p.allocs)}),
        el('td', {class: 'num', title: exact(p.alloc_bytes, 'B'), text: bytes(p.alloc_bytes)}),
        el('td', {class: 'num', title: exact(p.cum_alloc_bytes, 'B'), text: bytes(p.cum_alloc_bytes)}),
        el('td', {class: 'num ' + (p.live_bytes > 0 ? 'pos' : ''), title: exact(p.live_bytes, 'B'), text: bytes(p.live_bytes)}),
        el('td', {class: 'num', title: exact(p.cum_live_bytes, 'B'), text: bytes(p.cum_live_bytes)}),
        el('td', {class: 'num', text: dur(p.wall_ns)}),
        el('td', {class: 'num'}, link));
      const ul = el('ul');
      for (const [id, allocs, b, live] of p.sites)
        ul.append(el('li', {class: 'mono', text: bytes(b) + ' in ' + count(allocs) + ' allocs, ' + bytes(live) + ' live: ' +
          (id === null ? '(sites or pairs that did not fit the tables)' : 'site ' + id + ' ' + siteName(id))}));
      if (p.nsites > p.sites.length) ul.append(el('li', {text: '(' + (p.nsites - p.sites.length) + ' more sites)'}));
      const sub = el('tr', {class: 'sub'}, el('td', {colspan: heads.length, style: 'padding-left:' + (8 + 18 * p.depth) + 'px'}, ul));
      if (p.nsites) link.addEventListener('click', () => { listing[i] = !listing[i]; update(); });
      rows.push(tr);
      subs.push(sub);
      tb.append(tr, sub);
    });
    const all = v => () => { P.forEach((p, i) => { folded[i] = v && hasKids[i]; }); update(); };
    body.append(el('div', {class: 'toolbar'}, el('button', {id: 'phases-fold', text: 'Fold all', onclick: all(true)}),
      el('button', {id: 'phases-unfold', text: 'Unfold all', onclick: all(false)})), table);
    update();
  }

  /* ---- the flame graph (an icicle: outermost frames at the top) ---- */
  function flame() {
    const body = document.getElementById('flame-body');
    const S = D.flame.strings, N = D.flame.nodes, n = N.length;
    const kids = Array.from({length: n + 1}, () => []); /* index n: the root */
    N.forEach((nd, i) => kids[nd[0] < 0 ? n : nd[0]].push(i));
    const WEIGHTS = {alloc_bytes: [3, bytes, 'alloc bytes'], allocs: [4, count, 'allocs'], live_bytes: [5, bytes, 'live bytes']};
    let weight = WEIGHTS[D.sort] ? D.sort : 'alloc_bytes', zoom = n;
    const tot = new Float64Array(n + 1), depth = new Int32Array(n + 1);
    const graph = el('div', {id: 'flame-graph', role: 'img', 'aria-label': 'flame graph'});
    const info = el('div', {id: 'flame-info'});
    const select = el('select', {id: 'flame-weight'});
    for (const k in WEIGHTS) select.append(el('option', {value: k, text: WEIGHTS[k][2], selected: k === weight}));
    select.addEventListener('change', () => { weight = select.value; zoom = n; draw(); });
    const reset = el('button', {id: 'flame-reset', text: 'Reset zoom', onclick: () => { zoom = n; draw(); }});
    body.append(el('p', {class: 'note', text: 'Every site\'s stack merged, the outermost frame at the top; a frame\'s width is its share of the weight. ' +
      'Hover a frame for its function file:line and figures; click it to zoom in, click the root or an ancestor to zoom out.'}),
    el('div', {class: 'toolbar'}, el('label', null, 'weight ', select), reset), graph, info);
    if (!n) { graph.replaceWith(el('p', {class: 'note', text: 'No sites.'})); return; }
    for (let i = 0; i < n; i++) depth[i] = N[i][0] < 0 ? 1 : depth[N[i][0]] + 1;
    function sums() {
      const w = WEIGHTS[weight][0];
      tot.fill(0);
      for (let i = n - 1; i >= 0; i--) {
        tot[i] += Math.max(0, N[i][w]);
        tot[N[i][0] < 0 ? n : N[i][0]] += tot[i];
      }
    }
    function color(name) {
      let h = 0;
      for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
      return 'hsl(' + (8 + h % 42) + ',' + (65 + (h >> 8) % 25) + '%,' + (58 + (h >> 16) % 14) + '%)';
    }
    const ROW = 18;
    function box(i, x, w, y, anc) {
      const name = i === n ? 'all' : S[N[i][1]], fmt = WEIGHTS[weight][1];
      const pct = tot[n] ? (100 * tot[i] / tot[n]).toFixed(2) : '0';
      const d = el('div', {class: anc ? 'fr anc' : 'fr', 'data-node': i,
        style: 'left:' + x.toFixed(2) + 'px;width:' + Math.max(w, 1).toFixed(2) + 'px;top:' + y + 'px;background:' +
          (i === n ? '#c9ced6' : color(name)),
        title: (i === n ? 'all sites' : S[N[i][2]]) + '\n' + fmt(tot[i]) + ' ' + WEIGHTS[weight][2] +
          ' (' + pct + '% of all)'});
      if (w > 28) d.textContent = name;
      d.addEventListener('click', () => { zoom = i; draw(); });
      d.addEventListener('mouseenter', () => { info.textContent = d.title.replace('\n', ' - '); });
      return d;
    }
    function draw() {
      sums();
      const W = graph.clientWidth || 1200;
      const frag = document.createDocumentFragment();
      const chain = [];
      for (let i = zoom; i !== n; i = N[i][0] < 0 ? n : N[i][0]) chain.unshift(i);
      chain.unshift(n);
      let y = 0, maxY = 0;
      chain.forEach((i, k) => { frag.append(box(i, 0, W, y, k < chain.length - 1)); y += ROW; });
      const base = tot[zoom] || 1;
      function lay(i, x, y) {
        const ks = kids[i].filter(c => tot[c] > 0).sort((a, b) => tot[b] - tot[a]);
        for (const c of ks) {
          const w = W * tot[c] / base;
          if (w >= 0.5) {
            frag.append(box(c, x, w, y, false));
            if (y > maxY) maxY = y;
            lay(c, x, y + ROW);
          }
          x += w;
        }
      }
      maxY = y - ROW;
      lay(zoom, 0, y);
      graph.style.height = (maxY + ROW + 2) + 'px';
      graph.replaceChildren(frag);
      info.textContent = zoom === n ? 'total ' + WEIGHTS[weight][1](tot[n]) + ' ' + WEIGHTS[weight][2]
        : 'zoomed on ' + S[N[zoom][2]];
    }
    draw();
    let timer = 0;
    window.addEventListener('resize', () => { clearTimeout(timer); timer = setTimeout(draw, 150); });
  }

  /* ---- errors and warnings ---- */
  function errors() {
    if (!D.errors.length) return;
    const sec = document.getElementById('errors');
    sec.hidden = false;
    const tb = el('tbody');
    D.errors.forEach((e, i) => {
      const call = el('div', {class: 'frames'});
      e.call.forEach((f, k) => call.append(el('div', {class: k ? 'inl' : null, text: (k ? 'inlined into ' : '') + f[0]})));
      tb.append(el('tr', null, el('td', {class: 'num', text: String(i + 1)}),
        el('td', null, el('span', {class: 'kind', text: e.kind}), e.meaning ? el('div', {class: 'note', text: e.meaning}) : null),
        el('td', {class: 'num', text: count(e.count)}), el('td', {class: 'mono', text: e.addr}),
        el('td', {class: 'site', text: e.site === null ? 'unknown' : 'site ' + e.site + ' ' + e.site_frame}),
        el('td', {class: 'site'}, call)));
    });
    document.getElementById('errors-body').append(el('table', {id: 'errors-table'},
      el('thead', null, el('tr', null, ...['#', 'kind', 'times', 'block', 'allocated at', 'bad call'].map(
        (h, k) => el('th', {class: k === 0 || k === 2 ? 'num' : null, text: h})))), tb));
  }

  function warnings() {
    if (!D.warnings.length) return;
    document.getElementById('warnings').hidden = false;
    const ul = document.getElementById('warnings-body');
    for (const w of D.warnings) ul.append(el('li', {class: 'mono', text: w}));
  }

  errors();
  warnings();
  peak(); /* before the header: their sections join the navigation */
  growing();
  memory();
  header();
  totals();
  phases();
  sites();
  leaks();
  flame();
  document.documentElement.setAttribute('data-ready', 'true');
})();
