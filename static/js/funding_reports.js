// The yearly provincial total as bars (values in 万元, read from the page's data attributes).
(function () {
  const element = document.getElementById("chart-yearly");
  if (!element || !element.dataset.years) return;
  const years = element.dataset.years.split(",");
  const totals = element.dataset.totals.split("|").map((v) => Number(v.replace(/,/g, "")));
  const chart = echarts.init(element);
  chart.setOption({
    grid: { top: 20, left: 60, right: 20, bottom: 30 },
    tooltip: { renderMode: "richText" }, // on the canvas: no style="" (the CSP)
    xAxis: { type: "category", data: years },
    yAxis: { type: "value" },
    series: [{ type: "bar", data: totals, label: { show: true, position: "top" } }],
  });
  window.addEventListener("resize", () => chart.resize());
})();
