// Samenspel: charts that do not block the page. Each chart is an empty graph div followed by
// its figure as inert JSON (<script type="application/json">). plotly.js is loaded with
// "defer"; a chart is drawn when it comes near the screen, so a chart that is never scrolled
// to (or stays inside a closed fold) costs nothing. Without JavaScript the title, the source
// and the text alternative of each chart are there.
document.documentElement.classList.add("samenspel-js");
(function () {
  function figureOf(graph) {
    var next = graph.nextElementSibling;
    return next && next.type === "application/json" ? next : null;
  }

  function draw(graph) {
    if (graph.getAttribute("data-samenspel-drawn") || !window.Plotly) return;
    var script = figureOf(graph);
    if (!script) return;
    graph.setAttribute("data-samenspel-drawn", "1");
    var fig = JSON.parse(script.textContent);
    window.Plotly.newPlot(graph, fig.data, fig.layout, fig.config);
  }

  function start() {
    var graphs = Array.prototype.slice.call(document.querySelectorAll(".samenspel-plot"));
    if (!graphs.length || !window.Plotly) return;
    if (!("IntersectionObserver" in window)) {
      graphs.forEach(draw);
      return;
    }
    // A graph inside a closed <details> has no box and never intersects; when the fold
    // opens it gets one, and the observer reports it once it is near the screen.
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          draw(entry.target);
        }
      });
    }, { rootMargin: "400px 0px" });
    graphs.forEach(function (graph) { observer.observe(graph); });
  }

  if (document.readyState === "loading") {
    // Deferred scripts (plotly.js) have run when DOMContentLoaded fires.
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
