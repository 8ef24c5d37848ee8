// Long uploads show progress: the form is sent by XMLHttpRequest and the page follows its answer.
(function () {
  var form = document.querySelector("[data-testid=upload-form]");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var box = form.querySelector("[data-testid=upload-progress]");
  var bar = box.querySelector("progress");
  var words = box.querySelector("span");
  form.addEventListener("submit", function (event) {
    var file = form.querySelector("input[type=file]");
    if (!file.files.length) return; // the server says what is missing
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var percent = Math.round((e.loaded / e.total) * 100);
      bar.value = percent;
      words.textContent = percent + "% sent" + (percent === 100 ? "; checking every row…" : "");
    });
    request.addEventListener("load", function () {
      if (request.responseURL && request.responseURL !== form.action) {
        window.location.assign(request.responseURL);
      } else {
        form.submit(); // an answer that is not a preview: let the browser show it as usual
      }
    });
    request.addEventListener("error", function () {
      words.textContent = "The upload failed: check the connection and try again.";
    });
    box.hidden = false;
    request.send(new FormData(form));
  });
})();
