/* se-bench report client: draws each section's chart from the embedded JSON with chart.js,
 * adds error bars and fill patterns (so series differ without colour), and CSV downloads of
 * the table behind each chart. Runs offline from a file; reads data only from the page. */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
  var DASHES = [[], [6, 3], [2, 2], [8, 3, 2, 3], [1, 4], [10, 5]];
  var POINTS = ['circle', 'rect', 'triangle', 'rectRot', 'star', 'crossRot', 'cross', 'dash', 'line', 'rectRounded'];

  function pattern(colour, i) {
    var c = document.createElement('canvas');
    c.width = c.height = 8;
    var g = c.getContext('2d');
    g.fillStyle = colour + '55';
    g.fillRect(0, 0, 8, 8);
    g.strokeStyle = colour;
    g.lineWidth = 1.5;
    g.beginPath();
    var kind = i % 5;
    if (kind === 0) { g.moveTo(0, 8); g.lineTo(8, 0); }
    else if (kind === 1) { g.moveTo(0, 0); g.lineTo(8, 8); }
    else if (kind === 2) { g.moveTo(4, 0); g.lineTo(4, 8); }
    else if (kind === 3) { g.moveTo(0, 4); g.lineTo(8, 4); }
    else { g.arc(4, 4, 1.5, 0, 2 * Math.PI); }
    g.stroke();
    return g.createPattern(c, 'repeat');
  }

  var errorBars = {
    id: 'errorBars',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      chart.data.datasets.forEach(function (ds, di) {
        if (!ds.errorBars || chart.getDatasetMeta(di).hidden) return;
        var meta = chart.getDatasetMeta(di);
        var y = chart.scales[ds.yAxisID || 'y'];
        ctx.save();
        ctx.strokeStyle = '#222';
        ctx.lineWidth = 1;
        meta.data.forEach(function (el, i) {
          var e = ds.errorBars[i];
          if (!e || !el) return;
          var lo = y.getPixelForValue(Math.max(e[0], y.min > 0 ? y.min : e[0]));
          var hi = y.getPixelForValue(e[1]);
          ctx.beginPath();
          ctx.moveTo(el.x, lo); ctx.lineTo(el.x, hi);
          ctx.moveTo(el.x - 3, lo); ctx.lineTo(el.x + 3, lo);
          ctx.moveTo(el.x - 3, hi); ctx.lineTo(el.x + 3, hi);
          ctx.stroke();
        });
        ctx.restore();
      });
    },
  };

  data.sections.forEach(function (s) {
    if (!s.chart) return;
    var canvas = document.getElementById('chart-' + s.id);
    var spec = s.chart;
    var datasets = spec.datasets.map(function (d, i) {
      var colour = COLOURS[i % COLOURS.length];
      var line = (d.type || spec.type) === 'line';
      return {
        label: d.label, data: d.data, errorBars: d.errorBars, yAxisID: d.yAxisID || 'y', type: d.type || spec.type,
        borderColor: colour, backgroundColor: line ? colour : pattern(colour, i), borderWidth: line ? 2 : 1,
        borderDash: line ? DASHES[i % DASHES.length] : [], pointStyle: POINTS[i % POINTS.length], pointRadius: line ? 4 : 0, spanGaps: true,
      };
    });
    var scales = {
      x: { title: { display: true, text: spec.xTitle } },
      // Linear axes start at zero, so run-to-run noise does not look like a trend (log axes cannot).
      y: { type: spec.logY ? 'logarithmic' : 'linear', beginAtZero: !spec.logY, title: { display: true, text: spec.yTitle } },
    };
    if (spec.y2Title) scales.y2 = { position: 'right', beginAtZero: true, title: { display: true, text: spec.y2Title }, grid: { drawOnChartArea: false } };
    // eslint-disable-next-line no-undef
    new Chart(canvas, {
      type: spec.type, data: { labels: spec.labels, datasets: datasets }, plugins: [errorBars],
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, scales: scales,
        plugins: { legend: { position: 'bottom', labels: { usePointStyle: true, boxWidth: 10, font: { size: window.innerWidth < 600 ? 9 : 12 } } } },
      },
    });
  });

  function csvField(text) {
    var t = /^[=+\-@\t\r]/.test(text) ? "'" + text : text;
    return /[",\n\r]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
  }
  Array.prototype.forEach.call(document.querySelectorAll('a.csv'), function (a) {
    var table = document.getElementById(a.getAttribute('data-table'));
    var lines = Array.prototype.map.call(table.rows, function (row) {
      return Array.prototype.map.call(row.cells, function (cell) { return csvField(cell.textContent); }).join(',');
    });
    a.href = 'data:text/csv;charset=utf-8,' + encodeURIComponent(lines.join('\n') + '\n');
  });
})();
