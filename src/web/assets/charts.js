// Draws the charts of a page from data-series attributes; the table next to each chart has the same numbers.
(function () {
  if (!window.echarts) return;
  var font = '"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif';
  var charts = [];
  function colour(rate) { return rate < 60 ? '#c0392b' : rate < 90 ? '#e0a526' : '#2f7d4a'; }
  var draw = {
    trend: function (el, data) {
      return {
        textStyle: { fontFamily: font },
        grid: { left: 40, right: 16, top: 16, bottom: 36 },
        tooltip: { trigger: 'axis', valueFormatter: function (v) { return v + '%'; } },
        // Weeks as dates: the axis names each week by its Monday, the tooltip by its whole span ("7月26日—8月1日").
        xAxis: { type: 'category', data: data.map(function (d) { return d.label || d.week; }), axisTick: { show: false },
          axisLabel: { formatter: function (v) { return String(v).split('—')[0]; } } },
        yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' }, splitLine: { lineStyle: { color: '#eef1f5' } } },
        series: [{ type: 'line', data: data.map(function (d) { return d.rate; }), smooth: true, symbolSize: 7,
          lineStyle: { width: 3, color: '#1f4e79' }, itemStyle: { color: '#1f4e79' }, areaStyle: { color: 'rgba(31,78,121,0.08)' },
          label: { show: data.length <= 8, position: 'top', formatter: '{c}%', color: '#1f4e79' } }],
      };
    },
    departments: function (el, data) {
      var rows = data.slice().reverse(); // worst at the top
      return {
        textStyle: { fontFamily: font },
        grid: { left: 8, right: 44, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: function (v) { return v + '%'; } },
        xAxis: { type: 'value', min: 0, max: 100, show: false },
        yAxis: { type: 'category', data: rows.map(function (d) { return d.name; }), axisTick: { show: false }, axisLine: { show: false }, axisLabel: { color: '#1f2933', fontSize: 13 } },
        series: [{ type: 'bar', barMaxWidth: 16, data: rows.map(function (d) { return { value: d.rate, itemStyle: { color: colour(d.rate), borderRadius: [0, 4, 4, 0] } }; }),
          label: { show: true, position: 'right', formatter: '{c}%', color: '#5f6b7a' },
          showBackground: true, backgroundStyle: { color: '#f1f4f7', borderRadius: [0, 4, 4, 0] } }],
      };
    },
  };
  document.querySelectorAll('[data-chart]').forEach(function (el) {
    var kind = el.getAttribute('data-chart');
    var data = JSON.parse(el.getAttribute('data-series') || '[]');
    if (!draw[kind]) return;
    var chart = window.echarts.init(el, null, { renderer: 'svg' });
    chart.setOption(draw[kind](el, data));
    charts.push(chart);
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
