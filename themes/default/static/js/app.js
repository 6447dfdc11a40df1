// Small enhancements; every page works without them (the forms post to the
// server, which does all the work). No inline script: the page's CSP allows
// only this file.
(function () {
  "use strict";

  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  }

  // debounce calls fn once things have been quiet for ms; .cancel() drops a
  // pending call.
  function debounce(fn, ms) {
    var timer = 0;
    function later() {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    }
    later.cancel = function () { clearTimeout(timer); };
    return later;
  }

  // send posts a form-encoded body with the CSRF header, as the server's
  // forms would.
  function send(url, fields, signal) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrfToken(), "Accept": "application/json" },
      body: new URLSearchParams(fields),
      signal: signal
    });
  }

  // Code blocks and tables scroll inside a post on a narrow screen; a
  // keyboard can only scroll what it can focus.
  function focusableScrollers(root) {
    root.querySelectorAll(".post-body pre, .post-body table").forEach(function (el) {
      if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
    });
  }

  // ---- Markdown toolbar ----

  // edit replaces [start, end) of the textarea with text and selects
  // [selStart, selEnd) of the new text. insertText keeps the browser's undo
  // history; setRangeText is the fallback.
  function edit(ta, start, end, text, selStart, selEnd) {
    ta.focus();
    ta.setSelectionRange(start, end);
    var done = false;
    try { done = document.execCommand("insertText", false, text); } catch (e) { done = false; }
    if (!done) {
      ta.setRangeText(text, start, end, "end");
      ta.dispatchEvent(new Event("input", { bubbles: true }));
    }
    ta.setSelectionRange(start + selStart, start + selEnd);
  }

  function wrap(ta, left, right) {
    var s = ta.selectionStart, e = ta.selectionEnd, sel = ta.value.slice(s, e);
    edit(ta, s, e, left + sel + right, left.length, left.length + sel.length);
  }

  // prefixLines puts prefix before every line the selection touches.
  function prefixLines(ta, prefix) {
    var v = ta.value, s = ta.selectionStart, e = ta.selectionEnd;
    var from = v.lastIndexOf("\n", s - 1) + 1;
    var to = v.indexOf("\n", e > s && v[e - 1] === "\n" ? e - 1 : e);
    if (to < 0) to = v.length;
    var text = v.slice(from, to).split("\n").map(function (l) { return prefix + l; }).join("\n");
    var caret = s === e ? s - from + prefix.length : text.length;
    edit(ta, from, to, text, s === e ? caret : 0, caret);
  }

  // link wraps the selection as [text](https://) and selects the address to
  // type over.
  function link(ta, bang) {
    var s = ta.selectionStart, e = ta.selectionEnd, sel = ta.value.slice(s, e);
    var head = bang + "[" + sel + "](", url = "https://";
    edit(ta, s, e, head + url + ")", head.length, head.length + url.length);
  }

  function code(ta) {
    var v = ta.value, s = ta.selectionStart, e = ta.selectionEnd, sel = v.slice(s, e);
    if (sel.indexOf("\n") < 0) {
      wrap(ta, "`", "`");
      return;
    }
    var lead = s > 0 && v[s - 1] !== "\n" ? "\n" : "";
    var open = lead + "```\n";
    edit(ta, s, e, open + sel.replace(/\n$/, "") + "\n```\n", open.length, open.length + sel.replace(/\n$/, "").length);
  }

  var formats = {
    bold: function (ta) { wrap(ta, "**", "**"); },
    italic: function (ta) { wrap(ta, "*", "*"); },
    link: function (ta) { link(ta, ""); },
    image: function (ta) { link(ta, "!"); },
    quote: function (ta) { prefixLines(ta, "> "); },
    list: function (ta) { prefixLines(ta, "- "); },
    code: code
  };

  function toolbar(form, ta) {
    var bar = form.querySelector(".md-toolbar");
    if (!bar) return;
    ta.parentNode.insertBefore(bar, ta); // between the label and the text
    bar.hidden = false;
    bar.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-md]");
      if (b && formats[b.dataset.md]) formats[b.dataset.md](ta);
    });
    ta.addEventListener("keydown", function (ev) {
      if (!(ev.ctrlKey || ev.metaKey) || ev.altKey) return;
      var k = ev.key.toLowerCase();
      if (k === "b" || k === "i" || k === "k") {
        ev.preventDefault();
        formats[k === "b" ? "bold" : k === "i" ? "italic" : "link"](ta);
      } else if (ev.key === "Enter" && form.requestSubmit) {
        ev.preventDefault();
        form.requestSubmit();
      }
    });
  }

  // ---- Live preview: the server renders and sanitises, as for a post ----

  function preview(form, ta) {
    var box = form.querySelector(".preview");
    if (!box) return;
    var out = box.querySelector(".preview-body") || box;
    var seq = 0, shown = null;
    var update = debounce(function () {
      var body = ta.value;
      if (body.trim() === "") {
        box.hidden = true;
        shown = null;
        return;
      }
      if (body === shown) return;
      var mine = ++seq;
      send("/preview", { body: body }).then(function (res) {
        if (!res.ok) throw new Error("preview: " + res.status);
        return res.json();
      }).then(function (data) {
        if (mine !== seq) return; // a newer one is on its way
        out.innerHTML = data.html; // sanitised by the server
        focusableScrollers(box);
        box.hidden = false;
        shown = body;
      }).catch(function () { /* the preview is a nicety: keep the last one */ });
    }, 400);
    ta.addEventListener("input", update);
  }

  // ---- Drafts, kept on the server as people type ----

  function drafts(form, ta) {
    var key = form.dataset.draft;
    if (!key) return;
    var title = form.querySelector('input[name="title"]');
    var status = form.querySelector(".draft-status");
    var last = JSON.stringify([title ? title.value : "", ta.value]);
    var inflight = null, stopped = false;
    function say(what) {
      if (status && status.dataset[what]) status.textContent = status.dataset[what];
    }
    var save = debounce(function () {
      var fields = { key: key, title: title ? title.value : "", body: ta.value };
      var now = JSON.stringify([fields.title, fields.body]);
      if (stopped || now === last) return;
      if (inflight) inflight.abort();
      inflight = new AbortController();
      send("/drafts", fields, inflight.signal).then(function (res) {
        inflight = null;
        if (stopped) return;
        if (res.ok) {
          last = now;
          say("saved");
        } else {
          say("failed");
        }
      }).catch(function (err) {
        inflight = null;
        if (!stopped && err.name !== "AbortError") say("failed");
      });
    }, 1500);
    form.addEventListener("input", function (ev) {
      if (ev.target === ta || ev.target === title) save();
    });
    // Once the form is sent, the server drops the draft: a late save must
    // not bring it back.
    form.addEventListener("submit", function () {
      stopped = true;
      save.cancel();
      if (inflight) inflight.abort();
    });
  }

  // ---- Similar topics under the title of a new topic ----

  function similar(form) {
    var region = form.querySelector(".similar");
    var title = form.querySelector('input[name="title"]');
    if (!region || !title) return;
    var seq = 0, shown = "";
    function show(topics) {
      var key = JSON.stringify(topics);
      if (key === shown) return; // unchanged: say nothing again
      shown = key;
      region.textContent = "";
      if (!topics.length) return;
      var p = document.createElement("p");
      p.textContent = region.dataset.label || "";
      var ul = document.createElement("ul");
      topics.forEach(function (t) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = t.url;
        a.textContent = t.title;
        li.appendChild(a);
        ul.appendChild(li);
      });
      region.appendChild(p);
      region.appendChild(ul);
    }
    var look = debounce(function () {
      var q = title.value.trim();
      if (q.length < 8) {
        show([]);
        return;
      }
      var mine = ++seq;
      fetch("/similar?title=" + encodeURIComponent(q), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (res) {
          if (!res.ok) throw new Error("similar: " + res.status);
          return res.json();
        })
        .then(function (data) {
          if (mine === seq) show(data.topics || []);
        })
        .catch(function () { /* leave the list as it is */ });
    }, 500);
    title.addEventListener("input", look);
  }

  document.addEventListener("DOMContentLoaded", function () {
    // After a form comes back with errors, start at the first field at fault.
    var invalid = document.querySelector("[aria-invalid=true]");
    if (invalid) invalid.focus();

    focusableScrollers(document);

    document.querySelectorAll("form.composer").forEach(function (form) {
      var ta = form.querySelector('textarea[name="body"]');
      if (!ta) return;
      toolbar(form, ta);
      preview(form, ta);
      drafts(form, ta);
      similar(form);
    });
  });
})();

// Uploads. The composer's upload form sends its file with fetch and puts
// the Markdown it gets back into the post, at the cursor; an image or file
// dropped on the text, or an image pasted into it, goes the same way.
// Without this script the form still works: it opens its result (the
// Markdown to paste) in a new tab, so the post being written stays.
(function () {
  "use strict";

  function token() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }

  function insert(ta, md) {
    var start = ta.selectionStart, end = ta.selectionEnd, v = ta.value;
    var before = start > 0 && v.charAt(start - 1) !== "\n" ? "\n" : "";
    var after = end < v.length && v.charAt(end) !== "\n" ? "\n" : "";
    ta.setRangeText(before + md + after, start, end, "end");
    ta.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function setup(form) {
    var ta = document.getElementById(form.dataset.uploadFor);
    var input = form.querySelector('input[type="file"]');
    var status = form.querySelector(".upload-status");
    if (!ta || !input || !window.fetch || !window.FormData) return;
    var say = function (text) { if (status) status.textContent = text; };

    function send(file) {
      var body = new FormData();
      body.append("file", file, file.name || "image.png");
      return fetch("/api/v1/uploads", {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRF-Token": token(), "Accept": "application/json" }
      }).then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (data) {
          if (!res.ok) {
            throw { server: true, message: (data.error && data.error.message) || form.dataset.failed };
          }
          insert(ta, data.markdown);
        });
      });
    }

    // One file after the other, so their Markdown comes in their order.
    function sendAll(files) {
      files = Array.prototype.slice.call(files || []);
      if (!files.length) return;
      say(form.dataset.uploading);
      files.reduce(function (p, f) { return p.then(function () { return send(f); }); }, Promise.resolve())
        .then(function () { say(form.dataset.done); })
        .catch(function (err) { say(err && err.server ? err.message : form.dataset.failed); })
        .then(function () { input.value = ""; });
    }

    form.removeAttribute("target");
    var hint = form.querySelector(".hint");
    if (hint && form.dataset.hintJs) hint.textContent = form.dataset.hintJs;
    var button = form.querySelector('button[type="submit"]');
    if (button) button.hidden = true;

    input.addEventListener("change", function () { sendAll(input.files); });
    form.addEventListener("submit", function (e) { e.preventDefault(); sendAll(input.files); });
    ta.addEventListener("dragover", function (e) {
      if (e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, "Files") >= 0) e.preventDefault();
    });
    ta.addEventListener("drop", function (e) {
      if (!e.dataTransfer || !e.dataTransfer.files.length) return;
      e.preventDefault();
      ta.focus();
      sendAll(e.dataTransfer.files);
    });
    ta.addEventListener("paste", function (e) {
      var files = Array.prototype.filter.call((e.clipboardData && e.clipboardData.files) || [], function (f) {
        return /^image\//.test(f.type);
      });
      if (!files.length) return;
      e.preventDefault();
      sendAll(files);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.upload-form[data-upload-for]").forEach(setup);
  });
})();
