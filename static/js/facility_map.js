// Facilities as a scatter on longitude / latitude (no map tiles: the portal works offline).
(function () {
  const element = document.getElementById("facility-map");
  if (!element) return;
  const chart = echarts.init(element);
  fetch(element.dataset.url, { credentials: "same-origin" })
    .then((response) => response.json())
    .then((data) => {
      const byKind = {};
      for (const point of data.points) {
        (byKind[point.kind] = byKind[point.kind] || []).push(point);
      }
      chart.setOption({
        // Drawn on the canvas, not as HTML with style="" (the Content-Security-Policy).
        tooltip: {
          renderMode: "richText",
          formatter: (p) => `${p.data.name}\n${data.kinds[p.data.kind]} · ${p.data.beds}`,
        },
        legend: { type: "scroll", top: 0 },
        grid: { top: 40, left: 50, right: 20, bottom: 40 },
        xAxis: {
          type: "value", name: "E", axisLabel: { formatter: "{value}°" },
          min: (v) => Math.floor((v.min - 0.05) * 10) / 10,
          max: (v) => Math.ceil((v.max + 0.05) * 10) / 10,
        },
        yAxis: {
          type: "value", name: "N", axisLabel: { formatter: "{value}°" },
          min: (v) => Math.floor((v.min - 0.05) * 10) / 10,
          max: (v) => Math.ceil((v.max + 0.05) * 10) / 10,
        },
        series: Object.keys(byKind).map((kind) => ({
          name: data.kinds[kind],
          type: "scatter",
          data: byKind[kind],
          symbolSize: (value, params) => 6 + Math.sqrt(params.data.beds || 0),
        })),
      });
      element.dataset.points = String(data.points.length);
    });
  window.addEventListener("resize", () => chart.resize());
})();
