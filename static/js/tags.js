// Comma-separated tag inputs: suggest the vocabulary for the word being typed,
// keeping what was already entered. Without JavaScript the inputs still work as text.
(function () {
  "use strict";
  function enhance(input) {
    var source = document.getElementById(input.getAttribute("list"));
    if (!source) { return; }
    var all = Array.prototype.map.call(source.options, function (o) { return o.value; });
    var own = document.createElement("datalist");
    own.id = input.id + "-suggestions";
    input.parentNode.appendChild(own);
    input.setAttribute("list", own.id);
    function refresh() {
      var parts = input.value.split(",");
      var current = parts.pop().trim().toLowerCase();
      var prefix = parts.map(function (p) { return p.trim(); }).filter(Boolean).join(", ");
      var taken = parts.map(function (p) { return p.trim().toLowerCase(); });
      own.textContent = "";
      if (!current) { return; }
      all.filter(function (t) { return t.indexOf(current) !== -1 && taken.indexOf(t) === -1; })
        .slice(0, 12)
        .forEach(function (t) {
          var option = document.createElement("option");
          option.value = prefix ? prefix + ", " + t : t;
          own.appendChild(option);
        });
    }
    input.addEventListener("input", refresh);
  }
  function toggleRoleFields() {
    var checked = document.querySelector("input[name=role]:checked");
    if (!checked) { return; }
    document.querySelectorAll(".role-fields").forEach(function (set) {
      set.hidden = set.getAttribute("data-role") !== checked.value;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-tags]").forEach(enhance);
    document.querySelectorAll("input[name=role]").forEach(function (r) {
      r.addEventListener("change", toggleRoleFields);
    });
    toggleRoleFields();
  });
}());
