// Small enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", function () {
  // After a form comes back with errors, start at the first field at fault.
  var invalid = document.querySelector("[aria-invalid=true]");
  if (invalid) invalid.focus();
});
