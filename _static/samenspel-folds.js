// Samenspel: a chart drawn inside a folded section (a closed <details>) has no width yet.
// When the section opens, let plotly fit the charts in it to the column.
document.addEventListener("toggle", function (event) {
  var fold = event.target;
  if (!fold.open || !window.Plotly) return;
  fold.querySelectorAll(".js-plotly-plot").forEach(function (graph) {
    window.Plotly.Plots.resize(graph);
  });
}, true);
