// Camera and image handling for the hosted page, loaded only once the user has consented. Exposes
// window.VerityCapture: start/stop the camera, take a photo, turn a chosen file into an upright JPEG, a rough
// quality hint for live feedback, and the mapping from getUserMedia errors to recovery screens. Every image
// is re-drawn on a canvas, which drops EXIF (GPS, device) and bounds the size before upload.
(function () {
  'use strict';

  var MAX_SIDE = 2160;
  var JPEG_QUALITY = 0.92;
  var MAX_BYTES = 10 * 1024 * 1024;
  var DARK_LUMA = 50;
  var GLARE_SHARE = 0.08;
  var BLUR_FLOOR = 12;
  // Auto-capture asks more than the live hints: not washed out, clearly sharp, and the mean per-pixel change
  // between samples (0–255 luma, 160 px wide) small. Chromium's fake camera moves by 2–8 per sample.
  var AUTO_MAX_LUMA = 220;
  var AUTO_SHARP_FLOOR = 30;
  var STEADY_DIFF = 2.5;

  var streams = [];

  function stop() {
    streams.forEach(function (s) {
      s.getTracks().forEach(function (t) {
        t.stop();
      });
    });
    streams = [];
  }

  function named(name) {
    var e = new Error(name);
    e.name = name;
    return e;
  }

  /** Starts the camera into `video`. Soft constraints only, so no device is rejected for over-specification. */
  function start(video, facing) {
    stop();
    var md = navigator.mediaDevices;
    // Plain-HTTP pages have no mediaDevices at all: that is "no camera", not a crash.
    if (!md || !md.getUserMedia) return Promise.reject(named('NotFoundError'));
    return md
      .getUserMedia({ audio: false, video: { facingMode: { ideal: facing }, width: { ideal: 1920 }, height: { ideal: 1080 } } })
      .then(function (stream) {
        streams.push(stream);
        video.muted = true;
        video.setAttribute('playsinline', '');
        video.srcObject = stream;
        return new Promise(function (resolve, reject) {
          var done = false;
          function ready() {
            if (done || !video.videoWidth) return;
            done = true;
            resolve(stream);
          }
          video.addEventListener('loadedmetadata', ready);
          video.addEventListener('playing', ready);
          var p = video.play();
          if (p && p.catch) p.catch(function () {});
          setTimeout(function () {
            if (!done) {
              done = true;
              if (video.videoWidth) resolve(stream);
              else reject(named('NotReadableError')); // no frames: camera busy or failing
            }
          }, 5000);
          ready();
        });
      });
  }

  function errorKind(e) {
    var n = (e && e.name) || '';
    if (n === 'NotAllowedError' || n === 'SecurityError' || n === 'PermissionDeniedError') return 'denied';
    if (n === 'NotFoundError' || n === 'OverconstrainedError' || n === 'DevicesNotFoundError' || n === 'TypeError') return 'no_camera';
    return 'busy';
  }

  function scaled(w, h) {
    var k = Math.min(1, MAX_SIDE / Math.max(w, h));
    return [Math.max(1, Math.round(w * k)), Math.max(1, Math.round(h * k))];
  }

  function encode(source, w, h) {
    var size = scaled(w, h);
    var c = document.createElement('canvas');
    c.width = size[0];
    c.height = size[1];
    c.getContext('2d').drawImage(source, 0, 0, size[0], size[1]);
    return new Promise(function (resolve, reject) {
      c.toBlob(
        function (b) {
          c.width = c.height = 0;
          if (b) resolve(b);
          else reject(new Error('encode'));
        },
        'image/jpeg',
        JPEG_QUALITY,
      );
    });
  }

  /** The current frame as a JPEG, un-mirrored (the selfie preview is mirrored by CSS only). */
  function snap(video) {
    if (!video.videoWidth) return Promise.reject(new Error('no frame'));
    return encode(video, video.videoWidth, video.videoHeight);
  }

  function sniff(file) {
    return file
      .slice(0, 8)
      .arrayBuffer()
      .then(function (buf) {
        var b = new Uint8Array(buf);
        if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpg';
        if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
        return null;
      });
  }

  function decode(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: 'from-image' }).then(function (bmp) {
        return { src: bmp, w: bmp.width, h: bmp.height, close: function () { bmp.close(); } };
      });
    }
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        resolve({ src: img, w: img.naturalWidth, h: img.naturalHeight, close: function () { URL.revokeObjectURL(url); } });
      };
      img.onerror = function () {
        URL.revokeObjectURL(url);
        reject(new Error('unreadable'));
      };
      img.src = url;
    });
  }

  /**
   * A chosen file → upright JPEG ≤ 2160 px. Rejects with Error('size'|'type'|'unreadable'|'small').
   * `min` is [long, short] side in pixels; either orientation is accepted.
   */
  function fromFile(file, min) {
    if (file.size > MAX_BYTES) return Promise.reject(new Error('size'));
    return sniff(file).then(function (kind) {
      if (!kind) throw new Error('type');
      return decode(file).then(
        function (d) {
          var long = Math.max(d.w, d.h);
          var short = Math.min(d.w, d.h);
          if (long < Math.max(min[0], min[1]) || short < Math.min(min[0], min[1])) {
            d.close();
            throw new Error('small');
          }
          return encode(d.src, d.w, d.h).then(function (b) {
            d.close();
            return b;
          });
        },
        function (e) {
          throw e && e.message === 'small' ? e : new Error('unreadable');
        },
      );
    });
  }

  var probe = null;

  /** Luma statistics of a small copy of the frame: mean, share of blown-out pixels, Laplacian variance. */
  function measure(video) {
    if (!video.videoWidth) return null;
    var w = 160;
    var h = Math.max(1, Math.round((video.videoHeight / video.videoWidth) * w));
    if (!probe) probe = document.createElement('canvas');
    probe.width = w;
    probe.height = h;
    var ctx = probe.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, w, h);
    var px = ctx.getImageData(0, 0, w, h).data;
    var luma = new Float32Array(w * h);
    var sum = 0;
    var bright = 0;
    for (var i = 0, j = 0; i < px.length; i += 4, j++) {
      var l = 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
      luma[j] = l;
      sum += l;
      if (l > 250) bright++;
    }
    var n = w * h;
    // Variance of the Laplacian: low means few sharp edges, i.e. blur or motion.
    var lsum = 0;
    var lsq = 0;
    var count = 0;
    for (var y = 1; y < h - 1; y++) {
      for (var x = 1; x < w - 1; x++) {
        var k = y * w + x;
        var lap = luma[k - 1] + luma[k + 1] + luma[k - w] + luma[k + w] - 4 * luma[k];
        lsum += lap;
        lsq += lap * lap;
        count++;
      }
    }
    var mean = lsum / Math.max(1, count);
    return { mean: sum / n, glare: bright / n, sharp: count ? lsq / count - mean * mean : 0, luma: luma };
  }

  function verdict(m) {
    if (!m) return null;
    if (m.mean < DARK_LUMA) return 'dark';
    if (m.glare > GLARE_SHARE) return 'bright';
    if (m.sharp < BLUR_FLOOR) return 'blur';
    return 'ok';
  }

  /** A rough hint from a small copy of the frame: 'dark', 'bright' (glare), 'blur' or 'ok'. */
  function quality(video) {
    return verdict(measure(video));
  }

  /**
   * A stable-frame detector for auto-capture, fed about five frames a second. `sample(video, now)` returns
   * { quality, steadyMs }: how long the frame has been well lit, sharp and nearly unchanged from one sample
   * to the next (0 when it is not). A hand-held phone settles well under STEADY_DIFF; a moving scene or a
   * card still being positioned does not.
   */
  function steadiness() {
    var prev = null;
    var since = 0;
    return {
      sample: function (video, now) {
        var m = measure(video);
        var q = verdict(m);
        if (!m) return { quality: null, steadyMs: 0 };
        var diff = Infinity;
        if (prev && prev.length === m.luma.length) {
          diff = 0;
          for (var i = 0; i < m.luma.length; i++) diff += Math.abs(m.luma[i] - prev[i]);
          diff /= m.luma.length;
        }
        prev = m.luma;
        var good = q === 'ok' && m.mean <= AUTO_MAX_LUMA && m.sharp >= AUTO_SHARP_FLOOR && diff <= STEADY_DIFF;
        if (!good) {
          since = 0;
          return { quality: q, steadyMs: 0 };
        }
        if (!since) since = now;
        return { quality: q, steadyMs: now - since };
      },
      reset: function () {
        prev = null;
        since = 0;
      },
    };
  }

  window.VerityCapture = { start: start, stop: stop, snap: snap, fromFile: fromFile, quality: quality, steadiness: steadiness, errorKind: errorKind };
})();
