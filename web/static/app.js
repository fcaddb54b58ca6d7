// Hindsight's only script. Every page works without it; it adds three
// conveniences: "/" focuses the search field, forms with unsaved edits ask
// before the page is left, and the import form checks the upload limits
// before sending anything.
(function () {
  "use strict";

  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    var t = e.target;
    if (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName)) return;
    var q = document.querySelector("input[type=search]");
    if (!q) return;
    e.preventDefault();
    q.focus();
    q.select();
  });

  document.querySelectorAll("form[data-guard]").forEach(function (form) {
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (e) {
      if (!dirty) return;
      e.preventDefault();
      e.returnValue = "";
    });
  });

  var files = document.getElementById("import-files");
  var check = document.getElementById("import-check");
  if (files && check) {
    var maxFiles = Number(files.dataset.maxFiles);
    var maxFile = Number(files.dataset.maxFile);
    var maxTotal = Number(files.dataset.maxTotal);
    var mib = function (n) { return (n / 1048576).toFixed(1) + " MiB"; };
    // Too many files or too many bytes refuse the whole upload, so they
    // stop it here; one file too big only fails alone, so it only warns.
    var limits = function () {
      var list = Array.prototype.slice.call(files.files);
      if (list.length > maxFiles) {
        return { stop: true, msg: "You chose " + list.length + " files; at most " + maxFiles + " go in one upload." };
      }
      var total = 0, big = [];
      list.forEach(function (f) {
        total += f.size;
        if (f.size > maxFile) big.push(f.name);
      });
      if (total > maxTotal) {
        return { stop: true, msg: "The files come to " + mib(total) + "; at most " + mib(maxTotal) + " go in one upload." };
      }
      if (big.length) {
        return { stop: false, msg: big.join(", ") + (big.length > 1 ? " are" : " is") + " over the " + mib(maxFile) + " limit for one file and will not be imported." };
      }
      return { stop: false, msg: "" };
    };
    files.addEventListener("change", function () {
      var r = limits();
      check.textContent = r.msg;
      files.setAttribute("aria-invalid", r.stop ? "true" : "false");
    });
    files.form.addEventListener("submit", function (e) {
      var r = limits();
      if (r.stop) {
        e.preventDefault();
        check.textContent = r.msg;
        files.focus();
      }
    });
  }
})();
