/* The pages' one script, inlined: copy the feed address; seek from chapters and transcript; follow the player. */
(function () {
  "use strict";
  var copy = document.getElementById("copy");
  if (copy) {
    copy.addEventListener("click", function () {
      var field = document.getElementById(copy.getAttribute("data-copy"));
      var status = document.getElementById("copy-status");
      var done = function (ok) {
        status.textContent = ok ? "Adresse copiée." : "Sélectionnez l'adresse et copiez-la.";
      };
      var fallback = function () {
        var ok = false;
        field.focus();
        field.select();
        try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
        done(ok);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () { done(true); }, fallback);
      } else {
        fallback();
      }
    });
  }
  var audio = document.getElementById("player");
  if (!audio) { return; }
  var list = function (selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); };
  var cues = list(".cue");
  var marks = list(".seek");
  var starts = function (buttons) {
    return buttons.map(function (b) { return parseFloat(b.getAttribute("data-start")); });
  };
  var cueStarts = starts(cues);
  var markStarts = starts(marks);
  var box = document.getElementById("transcript");
  var current = { cue: -1, mark: -1 };
  var last = function (times, t) {  /* the last index whose start is at or before t */
    var lo = 0, hi = times.length - 1, at = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (times[mid] <= t + 0.001) { at = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return at;
  };
  var show = function (kind, buttons, index) {
    var old = current[kind];
    if (old === index) { return null; }
    if (old >= 0) { buttons[old].classList.remove("current"); buttons[old].removeAttribute("aria-current"); }
    current[kind] = index;
    if (index < 0) { return null; }
    buttons[index].classList.add("current");
    buttons[index].setAttribute("aria-current", "true");
    return buttons[index];
  };
  var follow = function () {
    var t = audio.currentTime;
    show("mark", marks, last(markStarts, t));
    var cue = show("cue", cues, last(cueStarts, t));  /* between two sentences the last one said stays */
    if (cue && box && !audio.paused) {
      var top = cue.offsetTop, bottom = top + cue.offsetHeight;
      if (top < box.scrollTop || bottom > box.scrollTop + box.clientHeight) {
        box.scrollTop = Math.max(0, top - box.clientHeight / 3);
      }
    }
  };
  ["timeupdate", "seeking", "seeked", "loadedmetadata"].forEach(function (name) {
    audio.addEventListener(name, follow);
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-start]") : null;
    if (!button) { return; }
    audio.currentTime = parseFloat(button.getAttribute("data-start"));
    follow();
    var playing = audio.play();
    if (playing && playing.catch) { playing.catch(function () { /* a browser may refuse to start playback */ }); }
  });
}());
