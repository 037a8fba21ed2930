// Draws every <canvas data-chart="ID"> from the JSON in <script id="ID" type="application/json">
// (rendered by Django's json_script): {type, labels, datasets, options}. No inline scripts.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.Chart) return;
  Chart.defaults.font.family = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif';
  const palette = ["#c62828", "#1565c0", "#2e7d32", "#f9a825", "#6a1b9a", "#00838f", "#ef6c00", "#5d4037"];
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    const spec = JSON.parse(source.textContent);
    spec.datasets.forEach((dataset, index) => {
      const color = dataset.color || palette[index % palette.length];
      dataset.backgroundColor = dataset.backgroundColor || (spec.type === "line" ? color : color + "cc");
      dataset.borderColor = dataset.borderColor || color;
    });
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets },
      options: Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, spec.options || {}),
    });
  });
});
