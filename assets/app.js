/* Amazon Music Clustering: what the browser does on its own, at once, without a round trip. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  amc: {
    /* A control moved: unless it asks for what the views already show, say "Computing…" now and
       dim the old views. Dash holds callbacks whose inputs are still being computed, so this one
       reads only the controls, and remembers what is shown in a variable set by `pending`. */
    asked: function (dataset, k, algorithm, features, options) {
      return window.dash_clientside.amc.compare(dataset, k, algorithm, features, window.__amcView,
                                                window.__amcShown, options);
    },

    /* The resolved view or the shown view arrived: compare again. */
    pending: function (view, shown, dataset, k, algorithm, features, options) {
      window.__amcView = view;
      window.__amcShown = shown;
      return window.dash_clientside.amc.compare(dataset, k, algorithm, features, view, shown, options);
    },

    /* What the controls ask for against the resolved view and what the views show. A difference
       means work under way; a refused request keeps the old views dimmed (the status line says why
       and what they still show). */
    compare: function (dataset, k, algorithm, features, view, shown, options) {
      const signature = (d, a, kk, f) => [d || 'default', a, kk, (f || []).slice().sort().join(',')].join('|');
      const asked = signature(dataset, algorithm, k, features);
      const refused = view && view.error && signature(view.dataset, view.algorithm, view.k, view.features) === asked;
      const current = shown && signature(shown.dataset, shown.algorithm, shown.k, shown.features) === asked;
      if (refused || (current && shown.failed)) {
        return ['', '', 'views views-stale'];
      }
      if (current) {
        return ['', '', 'views'];
      }
      const option = (options || []).find(o => o.value === algorithm);
      const n = (features || []).length;
      const text = `Computing ${option ? option.label : algorithm} at k = ${k} with ${n} feature${n === 1 ? '' : 's'}…`;
      return [text, 'd-none', 'views views-stale'];
    },

    /* Hand the resolved view on to the open tab's views only (store-view-<tab>): a hidden tab's
       views make no request at all; opening a tab brings its views up to date. */
    gate: function (view, tab) {
      const {no_update, callback_context} = window.dash_clientside;
      return callback_context.outputs_list.map(output => (output.id.replace('store-view-', 'tab-') === tab
        ? view : no_update));
    },

    /* A file was chosen: say at once that it is being read, or, when it is over the size limit,
       why it is refused; only a file within the limit goes to the server (store-upload). */
    upload: function (contents, filename, limit) {
      const {no_update} = window.dash_clientside;
      if (!contents) return [no_update, no_update];
      const name = filename || 'the file';
      const bytes = Math.floor((contents.length - contents.indexOf(',') - 1) * 3 / 4);
      const size = b => (b >= 1048576 ? `${Math.round(b / 1048576)} MB` : `${Math.ceil(b / 1024)} KB`);
      const note = (text, color) => ({namespace: 'dash_bootstrap_components', type: 'Alert',
                                      props: {children: text, color: color, className: 'p-2 mb-0 small'}});
      if (bytes > limit) {
        return [no_update, note(`${name} is ${size(bytes)}, over the limit of ${size(limit)}: ` +
                                'split it or take a sample, then upload again. Nothing was changed.', 'warning')];
      }
      return [{contents: contents, filename: filename, at: Date.now()},
              note(`Reading ${name} (${size(bytes)})…`, 'info')];
    },

    /* The hovered point's tooltip opens towards the wider side of the graph: right of a point in
       the left half, left of one in the right half (its width is at most half the graph's). */
    tooltipSide: function (hover) {
      const {no_update} = window.dash_clientside;
      const point = hover && hover.points && hover.points[0];
      const graph = document.getElementById('graph-pca');
      if (!point || !point.bbox || !graph) return no_update;
      return (point.bbox.x0 + point.bbox.x1) / 2 > graph.clientWidth / 2 ? 'left' : 'right';
    },

    /* The server's song matches, shown only while the search box still holds the query they
       answer: answers to earlier keystrokes may arrive last, and are dropped. */
    matches: function (found, typed) {
      const {no_update} = window.dash_clientside;
      if (!found || (found.query || '') !== (typed || '')) return no_update;
      return found.options;
    },

    /* A box or lasso selection on the scatter: plotly lists every selected point here, in the
       browser; the server gets one bit a song (12 KB for 100k songs) and the picture it was drawn on. */
    selection: function (selected, drawn) {
      if (!selected || !selected.points || !drawn || !drawn.n) return null;
      const bytes = new Uint8Array(Math.ceil(drawn.n / 8));
      let count = 0;
      selected.points.forEach(point => {
        const i = point.pointIndex;
        if (point.curveNumber === 0 && i >= 0 && i < drawn.n && !(bytes[i >> 3] & (1 << (i & 7)))) {
          bytes[i >> 3] |= 1 << (i & 7);
          count += 1;
        }
      });
      let text = '';
      for (let at = 0; at < bytes.length; at += 8192) {
        text += String.fromCharCode.apply(null, bytes.subarray(at, at + 8192));
      }
      return {bits: btoa(text), count: count, projection: drawn.projection, at: Date.now()};
    },

    /* A legend button: show that cluster alone on the scatter (the others dimmed, by a Patch of the
       colour scale), add or remove more, the last one off shows all again; it colours by cluster.
       Colouring by something else ends the isolation. A new legend (another clustering) keeps an
       isolation only if it was made for that clustering. */
    focus: function (clicks, colour, current) {
      const {no_update, callback_context} = window.dash_clientside;
      const items = callback_context.outputs_list[1].map(output => output.id);
      if (!items.length) return [no_update, [], no_update];
      const key = items[0].view;
      let clusters = current && current.key === key ? current.clusters.slice() : [];
      const triggered = callback_context.triggered || [];
      const clicked = triggered.length === 1 && triggered[0].prop_id.endsWith('.n_clicks') && triggered[0].value;
      if (colour !== 'cluster' && !(triggered.length === 1 && triggered[0].prop_id.endsWith('.n_clicks') &&
                                    triggered[0].value)) {
        /* Coloured by something else: no cluster is isolated, and the legend's colours (which no
           longer match the points) are hidden until a click colours by cluster again. */
        const plain = items.map(() => 'legend-item legend-plain');
        return [clusters.length ? {key: key, clusters: []} : no_update, plain, no_update];
      }
      if (clicked) {
        const id = JSON.parse(triggered[0].prop_id.slice(0, triggered[0].prop_id.lastIndexOf('.')));
        clusters = clusters.includes(id.index) ? clusters.filter(c => c !== id.index) : clusters.concat([id.index]);
      }
      const classes = items.map(item => 'legend-item' + (clusters.length === 0 ? ''
        : clusters.includes(item.index) ? ' legend-focused' : ' legend-dimmed'));
      /* A new legend alone changes nothing the scatter draws: no store update, no request. */
      return clicked ? [{key: key, clusters: clusters}, classes, 'cluster'] : [no_update, classes, no_update];
    },

    /* Bootstrap 5.3 colour modes: the whole page follows one attribute. */
    theme: function (dark) {
      document.documentElement.setAttribute('data-bs-theme', dark ? 'dark' : 'light');
    },
  },
});

/* Back and Forward: hand the URL to the page's one navigation path (callbacks/url_state.py). */
window.addEventListener('popstate', () => {
  if (window.dash_clientside && window.dash_clientside.set_props) {
    window.dash_clientside.set_props('store-navigation', {data: {search: window.location.search, at: Date.now()}});
  }
});

/* Tabs by keyboard: the selected tab is in the Tab order (dash-bootstrap-components leaves every
   tab at tabindex -1), arrows move between tabs, Enter or Space selects (the WAI-ARIA tabs pattern). */
(function () {
  const rove = () => {
    document.querySelectorAll('[role=tablist]').forEach(list => {
      const tabs = Array.from(list.querySelectorAll('[role=tab]'));
      const selected = tabs.find(tab => tab.classList.contains('active')) || tabs[0];
      tabs.forEach(tab => {
        const index = tab === selected ? '0' : '-1';
        if (tab.getAttribute('tabindex') !== index) tab.setAttribute('tabindex', index);
        const state = String(tab === selected);
        if (tab.getAttribute('aria-selected') !== state) tab.setAttribute('aria-selected', state);
      });
    });
  };
  new MutationObserver(rove).observe(document.documentElement,
    {childList: true, subtree: true, attributes: true, attributeFilter: ['class', 'tabindex']});
  document.addEventListener('keydown', event => {
    const tab = event.target.closest && event.target.closest('[role=tab]');
    if (!tab) return;
    const tabs = Array.from(tab.closest('[role=tablist]').querySelectorAll('[role=tab]'));
    const at = tabs.indexOf(tab);
    const step = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1}[event.key];
    if (step) {
      event.preventDefault();
      tabs[(at + step + tabs.length) % tabs.length].focus();
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      tabs[event.key === 'Home' ? 0 : tabs.length - 1].focus();
    } else if (event.key === ' ' || event.key === 'Enter') {
      event.preventDefault();
      tab.click();
    }
  });
})();

/* Wide tables scroll sideways inside their box; say so while they do. */
(function () {
  const mark = () => {
    document.querySelectorAll('.scroll-box').forEach(box => {
      const inner = box.querySelector('.table-responsive');
      const overflowing = inner && inner.scrollWidth > inner.clientWidth + 1;
      box.classList.toggle('scrolls', Boolean(overflowing));
    });
  };
  let queued = false;
  const schedule = () => {
    if (!queued) {
      queued = true;
      requestAnimationFrame(() => { queued = false; mark(); });
    }
  };
  new MutationObserver(schedule).observe(document.documentElement, {childList: true, subtree: true});
  window.addEventListener('resize', schedule);
})();
