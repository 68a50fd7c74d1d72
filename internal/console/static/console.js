// Progressive touches for the console; every page works without them.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Ask before destructive buttons (reject, disable).
  document.querySelectorAll("button[data-confirm]").forEach((b) => {
    b.addEventListener("click", (e) => {
      if (!window.confirm(b.dataset.confirm)) e.preventDefault();
    });
  });
  // A rejection needs a reason: say so before the round trip.
  document.querySelectorAll("form[data-decide]").forEach((f) => {
    const reason = f.querySelector("textarea[name=reason]");
    f.querySelectorAll("button[name=action]").forEach((b) => {
      b.addEventListener("click", () => { reason.required = b.value === "reject"; });
    });
  });
});
