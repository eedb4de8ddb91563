// The leadership dashboard: bars of the areas one level down, the 12-month trend and the
// choropleth map, from the page's json_script data. Clicking an area drills down to it.
(function () {
  const source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const percent = data.unit === "percent";
  const format = (v) => (v === null || v === undefined ? data.labels.noData : percent ? v.toFixed(1) + "%" : Math.round(v).toLocaleString());
  const byName = {};
  data.areas.forEach((a) => { byName[a.name] = a; });
  const charts = [];
  const colour = (a) => (a.met === true ? "#198754" : a.met === false ? "#dc3545" : "#6c8ebf");

  const bars = document.getElementById("chart-areas");
  if (bars) {
    const chart = echarts.init(bars);
    chart.setOption({
      grid: { top: 30, left: 50, right: 20, bottom: 70 },
      tooltip: { trigger: "axis", valueFormatter: format, renderMode: "richText" },
      xAxis: { type: "category", data: data.areas.map((a) => a.name), axisLabel: { rotate: 35, interval: 0 } },
      yAxis: { type: "value", max: percent ? 100 : null },
      series: [{
        type: "bar", name: data.label,
        data: data.areas.map((a) => ({ value: a.value, itemStyle: { color: colour(a) } })),
        label: { show: data.areas.length <= 15, position: "top", formatter: (p) => format(p.value) },
        markLine: data.areas.length && data.areas[0].target !== null
          ? { symbol: "none", data: [{ yAxis: data.areas[0].target, name: data.labels.target }], label: { formatter: data.labels.target, position: "insideEndTop" } }
          : undefined,
      }],
    });
    // A click anywhere in an area's column (not only on its bar: a 0% bar has no height).
    chart.getZr().on("click", (event) => {
      const point = [event.offsetX, event.offsetY];
      if (!chart.containPixel({ gridIndex: 0 }, point)) return;
      const index = chart.convertFromPixel({ seriesIndex: 0 }, point)[0];
      const a = data.areas[index];
      if (a) window.location.href = a.url;
    });
    bars.dataset.rendered = "1";
    charts.push(chart);
  }

  const trend = document.getElementById("chart-trend");
  if (trend) {
    const chart = echarts.init(trend);
    chart.setOption({
      grid: { top: 30, left: 50, right: 20, bottom: 30 },
      tooltip: { trigger: "axis", valueFormatter: format, renderMode: "richText" },
      legend: { data: [data.label, data.labels.target] },
      xAxis: { type: "category", data: data.trend.map((t) => t.month) },
      yAxis: { type: "value", max: percent ? 100 : null },
      series: [
        { type: "line", name: data.label, data: data.trend.map((t) => t.value), connectNulls: false },
        { type: "line", name: data.labels.target, data: data.trend.map((t) => t.target), lineStyle: { type: "dashed" }, symbol: "none" },
      ],
    });
    trend.dataset.rendered = "1";
    charts.push(chart);
  }

  const map = document.getElementById("chart-map");
  if (map && data.map) {
    fetch(data.map, { credentials: "same-origin" })
      .then((response) => response.json())
      .then((geo) => {
        echarts.registerMap(data.mapName, geo);
        const values = data.areas.map((a) => a.value).filter((v) => v !== null);
        const chart = echarts.init(map);
        chart.setOption({
          tooltip: {
            trigger: "item",
            renderMode: "richText", // on the canvas: no style="" (the CSP)
            formatter: (p) => p.name + ": " + format(byName[p.name] ? byName[p.name].value : null),
          },
          visualMap: {
            min: percent ? 0 : Math.min(0, ...values), max: percent ? 100 : Math.max(1, ...values),
            left: 10, bottom: 10, calculable: true, inRange: { color: ["#f8d7da", "#fff3cd", "#198754"] },
          },
          series: [{
            type: "map", map: data.mapName, roam: false, name: data.label,
            label: { show: true, fontSize: 10 },
            data: data.areas.map((a) => ({ name: a.name, value: a.value })),
          }],
        });
        chart.on("click", (p) => { const a = byName[p.name]; if (a) window.location.href = a.url; });
        map.dataset.rendered = "1";
        charts.push(chart);
      });
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
