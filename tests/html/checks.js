/* Checks run inside an `rtprof report --html` page by cdp.py: a function of
 * what the test expects (E), returning [[ok, what], ...]. It clicks like a
 * user: column headers, the phase tree's toggles, flame-graph frames. */
async function (E) {
  const out = [];
  const check = (ok, what) => out.push([!!ok, what]);
  const $ = s => document.querySelector(s);
  const $$ = s => Array.from(document.querySelectorAll(s));
  const D = JSON.parse($('#rtprof-data').textContent);
  const tick = () => new Promise(r => setTimeout(r, 0));

  check(document.documentElement.dataset.ready === 'true', 'the page script ran to the end');
  check($$('[src]').length === 0 && $$('link[rel=stylesheet]').length === 0 &&
        $$('a[href]').every(a => a.getAttribute('href').startsWith('#')),
        'no external script, stylesheet, image or link');
  check($$('#nav a').length >= 6, 'section links: ' + $$('#nav a').map(a => a.textContent).join(', '));

  /* timeline */
  const charts = $$('svg.timeline');
  check(charts.length === E.charts, charts.length + ' timeline chart(s), want ' + E.charts);
  if (charts.length) {
    const bands = Array.from(charts[0].querySelectorAll('rect.phase')).map(r => r.querySelector('title').textContent);
    const paths = Array.from(new Set(bands.map(t => t.slice(0, t.lastIndexOf(': '))))).sort();
    const want = E.bands.slice().sort();
    check(paths.length === want.length && paths.every((p, i) => p === want[i]),
          'phase bands ' + paths.join(', ') + ', want exactly ' + want.join(', '));
    const pts = charts[0].querySelector('polyline[id$="committed"]').getAttribute('points').trim().split(/\s+/);
    check(pts.length === D.dumps[0].snapshots, 'the committed line has one point per snapshot (' + pts.length + ')');
  }

  /* totals */
  const live = $$('#totals-grid .card').find(c => c.querySelector('.k').textContent === 'live at exit');
  check(live && live.querySelector('.v').textContent === E.live_text, 'totals: live at exit ' + (live && live.querySelector('.v').textContent));

  /* phase tree: rows, figures, folding */
  const prow = p => $('#phase-table tr[data-path="' + CSS.escape(p) + '"]');
  const shown = () => $$('#phase-table tbody tr[data-path]').filter(r => !r.hidden).map(r => r.dataset.path);
  check($$('#phase-table tbody tr[data-path]').length === E.phases, $$('#phase-table tbody tr[data-path]').length + ' phases, want ' + E.phases);
  const hot = prow(E.hot_phase);
  check(hot && hot.children[1].textContent === String(E.hot_calls), E.hot_phase + ': ' + (hot && hot.children[1].textContent) + ' calls');
  const all = shown().length;
  prow(E.fold_phase).querySelector('button.tog').click();
  await tick();
  const folded = shown();
  check(folded.length < all && folded.includes(E.fold_phase) && !folded.some(p => p.startsWith(E.fold_phase + '/')),
        'folding ' + E.fold_phase + ' hides its subtree (' + all + ' -> ' + folded.length + ' rows)');
  prow(E.fold_phase).querySelector('button.tog').click();
  await tick();
  check(shown().length === all, 'unfolding shows it again');
  $('#phases-fold').click();
  await tick();
  check(shown().every(p => prow(p).dataset.depth === '0'), 'fold all leaves the top level');
  $('#phases-unfold').click();
  const link = hot && hot.querySelector('a.sites');
  check(link, E.hot_phase + ' has a link to its site list');
  if (link) {
    link.click();
    await tick();
    const sub = hot.nextElementSibling;
    check(!sub.hidden && sub.textContent.includes(E.hot_site), 'the phase\'s site list names ' + E.hot_site);
  }

  /* top sites: numeric sort, both ways, by clicking the headers */
  const col = (t, k) => $$('#' + t + ' tbody td[data-key="' + k + '"]').map(td => Number(td.dataset.v));
  const ids = t => $$('#' + t + ' tbody tr').map(r => r.dataset.id).join(',');
  const th = (t, k) => $('#' + t + ' th[data-key="' + k + '"]');
  const desc = v => v.every((x, i) => i === 0 || v[i - 1] >= x), asc = v => v.every((x, i) => i === 0 || v[i - 1] <= x);
  check($$('#sites-table tbody tr').length === E.site_rows, $$('#sites-table tbody tr').length + ' site rows, want ' + E.site_rows);
  check(th('sites-table', 'alloc_bytes').getAttribute('aria-sort') === 'descending' && desc(col('sites-table', 'alloc_bytes')),
        'sites start sorted by alloc bytes, largest first');
  const before = ids('sites-table');
  th('sites-table', 'allocs').click();
  await tick();
  const byAllocs = col('sites-table', 'allocs');
  check(th('sites-table', 'allocs').getAttribute('aria-sort') === 'descending' && desc(byAllocs) && ids('sites-table') !== before,
        'click "allocs": largest first (' + byAllocs.slice(0, 3).join(', ') + ', ...), the order changed');
  th('sites-table', 'allocs').click();
  await tick();
  check(th('sites-table', 'allocs').getAttribute('aria-sort') === 'ascending' && asc(col('sites-table', 'allocs')),
        'click "allocs" again: smallest first (' + col('sites-table', 'allocs').slice(0, 3).join(', ') + ', ...)');
  check(th('sites-table', 'alloc_bytes').getAttribute('aria-sort') === 'none', 'one column sorted at a time');
  th('sites-table', 'site').click();
  await tick();
  const labels = $$('#sites-table tbody td[data-key="site"]').map(td => td.dataset.v);
  check(labels.every((x, i) => i === 0 || labels[i - 1].localeCompare(x) <= 0), 'click "site": by label, A to Z');
  th('sites-table', 'live_bytes').click();
  await tick();
  const first = $('#sites-table tbody tr td.site');
  check(first && first.textContent.includes(E.leak_site), 'click "live bytes": the leak comes first: ' + (first && first.querySelector('.frames > div').textContent));

  /* leaks */
  const leak = $('#leaks-table tbody tr');
  check(leak && leak.querySelector('td.site').textContent.includes(E.leak_site) &&
        Number(leak.querySelector('td[data-key="live_bytes"]').dataset.v) === E.live_bytes,
        'leaks: first row ' + E.leak_site + ', ' + E.live_bytes + ' bytes');

  /* flame graph: hover titles, zoom, weights */
  const frames = () => $$('#flame-graph .fr');
  const width = e => e.getBoundingClientRect().width;
  const gw = width($('#flame-graph'));
  check(frames().length >= E.min_frames, frames().length + ' flame-graph frames (at least ' + E.min_frames + ')');
  check(frames().every(f => f.title.length > 0), 'every frame has a hover title');
  const target = frames().find(f => f.title.startsWith(E.flame_frame));
  check(target && target.title.includes('%'), 'a frame titled ' + E.flame_frame);
  if (target) {
    const w0 = width(target);
    target.click();
    await tick();
    const z = frames().find(f => f.title.startsWith(E.flame_frame) && !f.classList.contains('anc'));
    check(z && width(z) > w0 && Math.abs(width(z) - gw) < 4 && $('#flame-info').textContent.startsWith('zoomed on'),
          'click zooms on it (' + w0.toFixed(0) + ' -> ' + (z ? width(z).toFixed(0) : '?') + ' px)');
    $('#flame-reset').click();
    await tick();
  }
  const sel = $('#flame-weight');
  sel.value = 'live_bytes';
  sel.dispatchEvent(new Event('change'));
  await tick();
  const liveFrames = frames().filter(f => f.dataset.node !== String(D.flame.nodes.length));
  const rows = new Set(liveFrames.map(f => f.style.top));
  const leaf = liveFrames.length && liveFrames[liveFrames.length - 1];
  check(E.live_stacks === 1 ? rows.size === liveFrames.length && leaf.title.startsWith(E.flame_frame) : liveFrames.length > 0,
        'weighted by live bytes: ' + (E.live_stacks === 1 ? 'one stack, ending in ' + E.flame_frame + ': ' : '') +
        liveFrames.map(f => f.title.split(' ')[0]).join(' > '));
  sel.value = 'alloc_bytes';
  sel.dispatchEvent(new Event('change'));

  /* errors and warnings */
  const errs = $$('#errors-table tbody tr');
  check($('#errors').hidden === (E.errors === 0) && errs.length === E.errors, errs.length + ' error rows, want ' + E.errors);
  if (E.errors) check(errs[0].textContent.includes(E.first_error), 'the first error is ' + E.first_error);
  check($$('#warnings-body li').length === E.warnings, $$('#warnings-body li').length + ' warnings, want ' + E.warnings);
  if (E.phase_text) check($$('#phase-table td.name').some(td => td.textContent.includes(E.phase_text)),
                          'a phase name with markup shows as text: ' + E.phase_text);
  return out;
}
