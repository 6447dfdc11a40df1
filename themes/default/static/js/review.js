// The review queue's keyboard shortcuts (the page works without them):
// j and k move between items, x selects one for the bulk form, a approves,
// r rejects (after the reason, which r focuses when it is empty), and
// Enter opens the item.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll(".review-item"));
  if (!items.length) return;
  var at = -1;
  function go(i) {
    if (i < 0 || i >= items.length) return;
    at = i;
    items.forEach(function (el) { el.classList.remove("current"); });
    items[at].classList.add("current");
    items[at].focus();
    items[at].scrollIntoView({ block: "nearest" });
  }
  function typing(t) {
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    var cur = items[at];
    switch (ev.key) {
      case "j": go(at + 1); break;
      case "k": go(at - 1); break;
      case "x":
        if (!cur) return;
        var box = cur.querySelector(".review-select");
        if (box) box.checked = !box.checked;
        break;
      case "a":
        if (!cur) return;
        var ok = cur.querySelector('button[data-key="a"]');
        if (ok) ok.click();
        break;
      case "r":
        if (!cur) return;
        var reason = cur.querySelector(".review-reason");
        if (reason && reason.value.trim() === "") { reason.focus(); break; }
        var no = cur.querySelector('button[data-key="r"]');
        if (no) no.click();
        break;
      case "Enter":
        if (!cur || ev.target !== cur) return;
        var link = cur.querySelector(".review-title a");
        if (link) link.click();
        break;
      default: return;
    }
    ev.preventDefault();
  });
})();
