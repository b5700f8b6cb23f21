// Samenspel: the navigation button of a page. pydata-sphinx-theme 0.17 binds its sidebar
// drawer (on a phone) and sphinx-book-theme its sidebar toggle (on a wide screen) to the
// first .primary-toggle of the page: a button in the top bar that sphinx-book-theme hides.
// The button a reader sees, in the article header, then does nothing, so on a phone the
// navigation could not be opened (pydata-sphinx-theme issue #2451). A click on a visible
// toggle is passed on to the first one, which the themes did bind.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest(".primary-toggle, .secondary-toggle");
  if (!button) return;
  var kind = button.classList.contains("primary-toggle") ? ".primary-toggle" : ".secondary-toggle";
  var bound = document.querySelector(kind);
  if (!bound || bound === button) return;
  event.preventDefault();
  bound.click();
});
