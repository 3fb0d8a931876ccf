// Verity hosted page. The server decides what is still needed (`requirements.missing` in the page API's
// session JSON); this script renders the first missing step, saves each answer as soon as it is given and
// re-renders from the answer. No framework: one small DOM helper, one history entry per step, and the
// camera code (capture.js) loaded only after consent. Nothing here logs, stores or posts personal data.
(function () {
  'use strict';

  var DATA = JSON.parse(document.getElementById('verity-data').textContent);
  var T = DATA.strings;
  var app = document.getElementById('app');
  var EMBED = DATA.mode === 'embed';
  var MAX_BYTES = 10 * 1024 * 1024;
  var RESEND_COOLDOWN_MS = 30000;
  var FEEDBACK_MIN_MS = 1500;
  // Auto-capture: sample ~5 frames a second, fire after half a second of a steady, sharp, well-lit frame, and
  // give up (offering Try again and the manual shutter) after 10 s for a document, 8 s for a selfie.
  var SAMPLE_MS = 200;
  var STEADY_MS = 500;
  var DOC_TIMEOUT_MS = 10000;
  var SELFIE_TIMEOUT_MS = 8000;
  var SIDES = { front: 'id_document_front', back: 'id_document_back', selfie: 'face' };
  var TEST_REASONS = [
    'document_expired', 'document_type_not_supported', 'document_unverified_other', 'selfie_document_missing_photo',
    'selfie_face_mismatch', 'selfie_manipulated', 'selfie_unverified_other', 'id_number_mismatch',
    'id_number_insufficient_document_data', 'id_number_unverified_other', 'under_supported_age',
    'country_not_supported', 'email_unverified_other', 'phone_unverified_other',
  ];

  var S = {
    auth: null,
    session: null,
    preview: false,
    tipsSeen: false,
    selfieTipsSeen: false,
    images: { front: null, back: null, selfie: null }, // { blob, url, method, uploaded }
    otpSent: {},
    hist: [],
    idx: -1,
    step: null,
    feedbackTimer: null,
    captureTimer: null,
    captureLoaded: null,
  };

  // ── Helpers ──

  function h(tag, attrs, kids) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v == null || v === false) return;
        if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = v;
        else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? '' : v);
      });
    }
    (kids || []).forEach(function (c) {
      if (c == null || c === false) return;
      el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return el;
  }

  function biz() {
    return (S.session && S.session.business && S.session.business.name) || DATA.business;
  }

  function t(key, vars) {
    var s = T[key] || key;
    var v = Object.assign({ business: biz() }, vars || {});
    return s.replace(/\{(\w+)\}/g, function (m, k) {
      return k in v ? String(v[k]) : m;
    });
  }

  var uid = 0;
  function id(prefix) {
    uid += 1;
    return prefix + '-' + uid;
  }

  function post(type, extra) {
    if (!EMBED || !DATA.parentOrigin) return;
    var msg = Object.assign({ type: 'verity:' + type, session: S.session ? S.session.id : null }, extra || {});
    // Only to the origin this frame was opened for; never '*'.
    window.parent.postMessage(msg, DATA.parentOrigin);
  }

  // ── Page API ──

  function apiError(status, body) {
    var e = new Error((body && body.error && body.error.message) || 'request failed');
    e.status = status;
    e.code = body && body.error && body.error.code;
    return e;
  }

  function api(method, path, body) {
    if (navigator.onLine === false) {
      var off = new Error('offline');
      off.network = true;
      return Promise.reject(off);
    }
    return fetch('/verify/api/' + path, {
      method: method,
      headers: Object.assign({ Authorization: 'Bearer ' + S.auth }, body ? { 'Content-Type': 'application/json' } : {}),
      body: body ? JSON.stringify(body) : undefined,
      credentials: 'omit',
      cache: 'no-store',
    }).then(
      function (res) {
        return res
          .json()
          .catch(function () {
            return null;
          })
          .then(function (j) {
            if (!res.ok) throw apiError(res.status, j);
            return j;
          });
      },
      function () {
        var e = new Error('network');
        e.network = true;
        throw e;
      },
    );
  }

  function setSession(s) {
    S.session = s;
    return s;
  }

  var LINK_ERRORS = { link_invalid: 'unknown', link_expired: 'expired', session_submitted: 'submitted', session_canceled: 'canceled' };

  /** Errors that end the flow (link no longer usable, server failure); others are shown where they happen. */
  function fatal(e) {
    if (e && LINK_ERRORS[e.code]) {
      if (EMBED && e.code === 'link_invalid') post('error', { code: e.code });
      return showLinkError(LINK_ERRORS[e.code]);
    }
    if (e && (e.code === 'busy' || e.code === 'requirements_missing' || e.code === 'invalid_request')) return resync();
    showError('server');
  }

  /** The session changed under us (another tab, a double click): fetch it again and go where it now stands. */
  function resync() {
    api('GET', 'session')
      .then(setSession)
      .then(function () {
        advance(true);
      }, function (e) {
        if (e && LINK_ERRORS[e.code]) return fatal(e);
        showError('server');
      });
  }

  // ── Flow ──

  /** Document options; an id_number session may have none. */
  function docOpts() {
    return (S.session && S.session.document) || { allowed_types: [] };
  }

  function docType() {
    var s = S.session;
    return s.collected.document_type || (docOpts().allowed_types.length === 1 ? docOpts().allowed_types[0] : 'id_card');
  }

  function needsBack() {
    var s = S.session;
    if (s.collected.document_type) return s.collected.document_type !== 'passport';
    return !(docOpts().allowed_types.length === 1 && docOpts().allowed_types[0] === 'passport');
  }

  function isDocument() {
    return S.session.type !== 'id_number';
  }

  function needsIdNumber() {
    return S.session.type === 'id_number' || !!docOpts().require_id_number;
  }

  /** The steps of this session in order, grouped as the user counts them ("Step 2 of 5"). */
  function groups() {
    var s = S.session;
    var g = ['consent'];
    if (isDocument()) {
      if (docOpts().allowed_types.length > 1) g.push('document_type');
      g.push('front');
      if (needsBack()) g.push('back');
      if (docOpts().require_matching_selfie) g.push('selfie');
    }
    if (needsIdNumber()) g.push('id_number');
    if (s.email && s.email.required) g.push('otp_email');
    if (s.phone && s.phone.required) g.push('otp_phone');
    g.push('review');
    return g;
  }

  function groupOf(step) {
    if (step === 'tips' || /_front$/.test(step)) return 'front';
    if (/_back$/.test(step)) return 'back';
    if (step === 'selfie_tips' || /_selfie$/.test(step)) return 'selfie';
    return step;
  }

  function nextStep() {
    var s = S.session;
    if (s.status === 'processing') return 'processing';
    if (s.status === 'verified') return 'done';
    if (!s.livemode && !S.preview && !s.collected.consent) return 'test_mode';
    var m = s.requirements.missing;
    var first = m[0];
    if (!first) return 'review';
    if (first === 'biometric_consent') return 'consent';
    if (first === 'id_document_type') return 'document_type';
    if (first === 'id_document_front') return pending('front') ? 'review_front' : S.tipsSeen ? 'capture_front' : 'tips';
    if (first === 'id_document_back') return pending('back') ? 'review_back' : 'capture_back';
    if (first === 'face') return pending('selfie') ? 'review_selfie' : S.selfieTipsSeen ? 'capture_selfie' : 'selfie_tips';
    if (first === 'id_number') return 'id_number';
    if (first === 'email_otp') return 'otp_email';
    if (first === 'phone_otp') return 'otp_phone';
    return 'review';
  }

  function pending(side) {
    var img = S.images[side];
    return !!(img && !img.uploaded);
  }

  /** Moves to whatever the server says comes next (choosing the only allowed document type silently). */
  function advance(replace) {
    var step = nextStep();
    var allowed = docOpts().allowed_types;
    if (step === 'document_type' && allowed && allowed.length === 1) {
      return api('POST', 'document_type', { type: allowed[0] })
        .then(setSession)
        .then(function () {
          advance(replace);
        }, fatal);
    }
    go(step, replace);
  }

  function go(step, replace) {
    if (replace || S.idx < 0) {
      S.idx = Math.max(S.idx, 0);
      S.hist[S.idx] = step;
      history.replaceState({ verity: S.idx }, '');
    } else {
      S.idx += 1;
      S.hist = S.hist.slice(0, S.idx);
      S.hist.push(step);
      history.pushState({ verity: S.idx }, '');
    }
    render(step);
  }

  window.addEventListener('popstate', function (e) {
    var i = e.state && typeof e.state.verity === 'number' ? e.state.verity : null;
    if (i === null || !S.hist[i] || !S.session) return;
    var step = S.hist[i];
    // Never walk back into a state the server has moved past for good.
    if (S.session.status !== 'requires_input' && step !== 'processing' && step !== 'done') return go(nextStep(), true);
    S.idx = i;
    render(step);
  });

  function back() {
    if (S.idx > 0) return history.back();
    // Opened mid-flow (reload, new device): the logical previous step.
    var order = ['consent', 'document_type', 'tips', 'capture_front', 'capture_back', 'selfie_tips', 'capture_selfie', 'id_number', 'otp_email', 'otp_phone', 'review'];
    var g = groups();
    var i = order.indexOf(S.step.replace(/^review_/, 'capture_'));
    for (var j = i - 1; j >= 0; j--) {
      var cand = order[j];
      if (g.indexOf(groupOf(cand)) >= 0) {
        S.hist = [cand];
        S.idx = 0;
        history.replaceState({ verity: 0 }, '');
        return render(cand);
      }
    }
  }

  // ── Rendering ──

  var NO_BACK = { loading: 1, test_mode: 1, consent: 1, declined: 1, processing: 1, done: 1 };

  function render(step) {
    stopCamera();
    clearInterval(S.feedbackTimer);
    clearTimeout(S.captureTimer);
    S.step = step;
    app.setAttribute('data-step', step);
    app.removeAttribute('aria-busy');
    app.textContent = '';
    var view = VIEWS[step] ? VIEWS[step]() : errorView(step);
    var top = [];
    var isError = step.indexOf('error_') === 0;
    var cameraError = /^error_(camera_denied|no_camera|camera_busy)$/.test(step);
    if (!NO_BACK[step] && (!isError || cameraError)) top.push(h('button', { type: 'button', class: 'link', onclick: back, text: T.back }));
    var g = S.session ? groups() : [];
    var gi = g.indexOf(groupOf(step));
    if (gi >= 0 && !isError) top.push(h('p', { class: 'stepof', text: t('step_of', { n: gi + 1, total: g.length }) }));
    if (top.length) app.appendChild(h('div', { class: 'nav' }, top));
    app.appendChild(view.h1);
    view.body.forEach(function (n) {
      if (n) app.appendChild(n);
    });
    document.title = view.title + ' – ' + t('title_suffix');
    view.h1.setAttribute('tabindex', '-1');
    view.h1.focus();
    if (view.after) view.after();
  }

  function heading(text) {
    return h('h1', { text: text });
  }

  function p(text, cls) {
    return h('p', { class: cls, text: text });
  }

  function button(text, onclick, cls, extra) {
    return h('button', Object.assign({ type: 'button', class: cls, onclick: onclick, text: text }, extra || {}));
  }

  function contactLine() {
    return p(t('contact'), 'muted');
  }

  function returnOrClose(label) {
    var s = S.session;
    if (EMBED) return h('div', { class: 'actions' }, [button(label || T.close, function () { post('close'); })]);
    if (s && s.return_url) return h('div', { class: 'actions' }, [h('a', { class: 'button', href: s.return_url, text: t('return_to') })]);
    return p(T.close_page);
  }

  var VIEWS = {};

  VIEWS.test_mode = function () {
    var outcome = 'verified';
    var reasonId = id('reason');
    var radios = [
      ['verified', T.tm_verified],
      ['unverified', T.tm_unverified],
      ['verified_async', T.tm_verified_async],
      ['unverified_async', T.tm_unverified_async],
    ].map(function (o) {
      return h('label', { class: 'choice' }, [
        h('input', { type: 'radio', name: 'test_outcome', value: o[0], checked: o[0] === outcome, onchange: function () { outcome = o[0]; } }),
        h('span', { text: o[1] }),
      ]);
    });
    var select = h(
      'select',
      { id: reasonId, name: 'last_error_code' },
      TEST_REASONS.map(function (c) {
        return h('option', { value: c, selected: c === 'document_unverified_other', text: c });
      }),
    );
    var err = h('p', { class: 'error', role: 'alert' });
    var complete = button(T.tm_complete, function () {
      complete.disabled = true;
      var body = { outcome: outcome };
      if (/^unverified/.test(outcome)) body.last_error_code = select.value;
      api('POST', 'test_outcome', body)
        .then(setSession)
        .then(function (s) {
          go(s.status === 'processing' ? 'processing' : 'done');
        })
        .catch(function (e) {
          complete.disabled = false;
          if (e.network) err.textContent = T.offline;
          else fatal(e);
        });
    });
    return {
      title: T.title_test_mode,
      h1: heading(T.tm_title),
      body: [
        p(T.tm_intro),
        h('section', { class: 'panel', 'aria-labelledby': 'tm-complete' }, [
          h('h2', { id: 'tm-complete', text: T.tm_complete_h }),
          p(T.tm_complete_text, 'muted'),
          h('fieldset', { role: 'radiogroup', 'aria-labelledby': 'tm-outcome' }, [h('legend', { id: 'tm-outcome', text: T.tm_outcome })].concat(radios)),
          h('label', { for: reasonId, text: T.tm_reason }),
          select,
          err,
          h('div', { class: 'actions' }, [complete]),
        ]),
        h('section', { class: 'panel', 'aria-labelledby': 'tm-preview' }, [
          h('h2', { id: 'tm-preview', text: T.tm_preview_h }),
          p(T.tm_preview_text, 'muted'),
          h('div', { class: 'actions' }, [
            button(T.tm_preview, function () {
              S.preview = true;
              advance();
            }, 'secondary'),
          ]),
        ]),
      ],
    };
  };

  VIEWS.consent = function () {
    var s = S.session;
    var selfie = isDocument() && docOpts().require_matching_selfie;
    var what = [];
    if (isDocument()) what.push(T.consent_what_doc);
    if (selfie) what.push(T.consent_what_selfie);
    if (needsIdNumber()) what.push(T.consent_what_idnum);
    if (s.email && s.email.required) what.push(T.consent_what_email);
    if (s.phone && s.phone.required) what.push(T.consent_what_phone);
    what.push(T.consent_what_tech);
    var err = h('p', { class: 'error', role: 'alert' });
    var privacy = (s.business && s.business.privacy_url) || DATA.privacyUrl;
    var links = [];
    if (privacy) links.push(h('li', null, [h('a', { href: privacy, target: '_blank', rel: 'noopener noreferrer', text: t('consent_privacy_business') })]));
    links.push(h('li', null, [h('a', { href: '/verify/privacy?locale=' + DATA.locale, target: '_blank', rel: 'noopener noreferrer', text: T.consent_privacy_ours })]));
    function answer(accepted) {
      agree.disabled = decline.disabled = true;
      if (accepted && s.collected.consent) return afterConsent();
      api('POST', 'consent', { accepted: accepted, locale: DATA.locale })
        .then(setSession)
        .then(function () {
          if (accepted) afterConsent();
          else go('declined', true);
        })
        .catch(function (e) {
          agree.disabled = decline.disabled = false;
          if (e.network) err.textContent = T.offline;
          else fatal(e);
        });
    }
    var agree = button(T.agree, function () { answer(true); });
    var decline = button(T.decline, function () { answer(false); }, 'secondary');
    return {
      title: T.title_consent,
      h1: heading(t('consent_title')),
      body: [
        p(t('consent_intro')),
        h('h2', { text: T.consent_what_h }),
        h('ul', null, what.map(function (w) { return h('li', { text: w }); })),
        h('h2', { text: T.consent_why_h }),
        p(T.consent_why),
        h('h2', { text: T.consent_who_h }),
        p(t('consent_who')),
        h('h2', { text: T.consent_keep_h }),
        p(t('consent_keep')),
        h('h2', { text: T.consent_rights_h }),
        p(t('consent_rights')),
        h('ul', null, links),
        p(t(selfie ? 'consent_agree_biometric' : 'consent_agree_text')),
        err,
        h('div', { class: 'pair' }, [agree, decline]),
      ],
    };
  };

  function afterConsent() {
    loadCapture(); // warm up while the user reads the next screen
    advance();
  }

  VIEWS.declined = function () {
    return { title: T.title_declined, h1: heading(T.declined_title), body: [p(t('declined_body')), returnOrClose()] };
  };

  VIEWS.document_type = function () {
    var s = S.session;
    var chosen = s.collected.document_type;
    var errId = id('doctype-err');
    var err = h('p', { class: 'error', id: errId, role: 'alert' });
    var legendId = id('legend');
    var group = h('fieldset', { role: 'radiogroup', 'aria-labelledby': legendId, 'aria-describedby': errId }, [h('legend', { id: legendId, text: T.doctype_legend })].concat(
      // In the order the integrator listed them (the server keeps options.document.allowed_types as given).
      ['passport', 'driving_license', 'id_card']
        .filter(function (d) { return docOpts().allowed_types.indexOf(d) >= 0; })
        .sort(function (a, b) { return docOpts().allowed_types.indexOf(a) - docOpts().allowed_types.indexOf(b); })
        .map(function (d) {
          // The hint is a description, not part of the name, so the option is called exactly "Passport".
          var hintId = id('hint');
          var inputId = id('doc');
          return h('div', { class: 'choice' }, [
            h('input', { type: 'radio', id: inputId, name: 'document_type', value: d, checked: d === chosen, 'aria-describedby': hintId }),
            h('span', null, [h('label', { for: inputId, text: T['doc_' + d] }), h('span', { class: 'hint', id: hintId, text: T['doc_' + d + '_hint'] })]),
          ]);
        }),
    ));
    var cont = button(T.continue, function () {
      var sel = group.querySelector('input:checked');
      if (!sel) {
        err.textContent = T.doctype_required;
        group.querySelector('input').focus();
        return;
      }
      cont.disabled = true;
      if (sel.value !== chosen) {
        // A different document: photos of the old one no longer apply.
        S.images.front = S.images.back = null;
      }
      api('POST', 'document_type', { type: sel.value })
        .then(setSession)
        .then(function () { advance(); })
        .catch(function (e) {
          cont.disabled = false;
          if (e.network) err.textContent = T.offline;
          else fatal(e);
        });
    });
    return { title: T.title_document_type, h1: heading(T.doctype_title), body: [group, err, h('div', { class: 'actions' }, [cont])] };
  };

  function tipsView(title, h1, items, camera, onContinue) {
    return {
      title: title,
      h1: heading(h1),
      body: [
        h('ul', null, items.map(function (i) { return h('li', { text: i }); })),
        p(camera, 'muted'),
        h('div', { class: 'actions' }, [button(T.continue, onContinue)]),
      ],
    };
  }

  VIEWS.tips = function () {
    return tipsView(T.title_tips, T.tips_title, [T.tips_light, T.tips_flat, T.tips_corners, T.tips_glare], T.tips_camera, function () {
      S.tipsSeen = true;
      go('capture_front');
    });
  };

  VIEWS.selfie_tips = function () {
    return tipsView(T.title_selfie_tips, T.selfie_tips_title, [T.selfie_tips_light, T.selfie_tips_clear, T.selfie_tips_alone], T.selfie_tips_camera, function () {
      S.selfieTipsSeen = true;
      go('capture_selfie');
    });
  };

  // ── Capture ──

  function loadCapture() {
    if (!S.captureLoaded) {
      S.captureLoaded = new Promise(function (resolve, reject) {
        var sc = document.createElement('script');
        sc.src = DATA.capture;
        sc.onload = function () { resolve(window.VerityCapture); };
        sc.onerror = function () { S.captureLoaded = null; reject(new Error('capture script')); };
        document.head.appendChild(sc);
      });
    }
    return S.captureLoaded;
  }

  function stopCamera() {
    if (window.VerityCapture) window.VerityCapture.stop();
  }

  function liveOnly() {
    return !!docOpts().require_live_capture;
  }

  function minSize(side) {
    return side === 'selfie' ? [300, 300] : [600, 400];
  }

  function captureTexts(side) {
    if (side === 'selfie') return [T.cap_selfie, T.cap_selfie_i];
    var k = 'cap_' + docType() + '_' + side;
    return [T[k], T[k + '_i']];
  }

  /** "Upload a photo instead": a real button that opens a labelled file input, with inline errors. */
  function uploadControl(side) {
    if (liveOnly()) return null;
    var errId = id('upload-err');
    var hintId = id('upload-hint');
    var err = h('p', { class: 'error', id: errId, role: 'alert' });
    var input = h('input', {
      type: 'file',
      name: side,
      accept: 'image/jpeg,image/png',
      hidden: true,
      'aria-label': T.upload_instead,
      'aria-describedby': hintId + ' ' + errId,
    });
    var btn = button(T.upload_instead, function () { input.click(); }, 'secondary', { 'aria-describedby': hintId + ' ' + errId });
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      input.value = '';
      if (!file) return;
      err.textContent = '';
      btn.removeAttribute('aria-invalid');
      var fail = function (key) {
        err.textContent = T[key];
        input.setAttribute('aria-invalid', 'true');
        btn.focus();
      };
      if (file.size > MAX_BYTES) return fail('err_size');
      if (file.type && file.type !== 'image/jpeg' && file.type !== 'image/png') return fail('err_type');
      btn.disabled = true;
      loadCapture()
        .then(function (C) {
          return C.fromFile(file, minSize(side));
        })
        .then(
          function (blob) {
            btn.disabled = false;
            keepImage(side, blob, 'file_upload');
            go('review_' + side);
          },
          function (e) {
            btn.disabled = false;
            fail(e && e.message === 'small' ? (side === 'selfie' ? 'err_small_selfie' : 'err_small_doc') : e && e.message === 'type' ? 'err_type' : 'err_unreadable');
          },
        );
    });
    return h('div', null, [btn, input, p(T.upload_hint, 'hint'), err]);
  }

  function keepImage(side, blob, method) {
    var old = S.images[side];
    if (old && old.url) URL.revokeObjectURL(old.url);
    S.images[side] = { blob: blob, url: URL.createObjectURL(blob), method: method, uploaded: false };
    post('captured');
  }

  function captureView(side) {
    var texts = captureTexts(side);
    var selfie = side === 'selfie';
    var video = h('video', { playsinline: true, muted: true, autoplay: true, 'aria-label': T.camera_preview, class: selfie ? 'mirror' : null });
    video.muted = true;
    var guideClass = 'guide' + (selfie ? ' oval' : docType() === 'passport' ? ' passport' : '');
    var feedback = h('p', { class: 'feedback', role: 'status' });
    var shutter = button(T.take_photo, function () {
      if (!window.VerityCapture || !video.srcObject || capturing) return;
      capturing = true;
      clearTimeout(S.captureTimer);
      shutter.disabled = true;
      window.VerityCapture.snap(video).then(
        function (blob) {
          keepImage(side, blob, 'manual_capture');
          go('review_' + side);
        },
        function () {
          capturing = false;
          shutter.disabled = false;
          showError('camera_busy');
        },
      );
    }, null, { disabled: true });
    // One polite status region; it changes at most every FEEDBACK_MIN_MS, showing the latest message then.
    var lastMsg = '';
    var lastAt = 0;
    var queued = null;
    var queueTimer = null;
    function show(msg, kind) {
      lastMsg = msg;
      lastAt = Date.now();
      feedback.className = 'feedback' + (kind ? ' ' + kind : '');
      feedback.textContent = msg;
    }
    function say(msg, kind) {
      var wait = lastAt + FEEDBACK_MIN_MS - Date.now();
      if (wait <= 0 && !queueTimer) {
        if (msg !== lastMsg) show(msg, kind);
        return;
      }
      queued = [msg, kind];
      if (!queueTimer) {
        queueTimer = setTimeout(function () {
          queueTimer = null;
          if (queued && queued[0] !== lastMsg) show(queued[0], queued[1]);
          queued = null;
        }, Math.max(wait, 0));
      }
    }
    // Auto-capture (documents only) watches ~5 frames a second; without a capture by the deadline the step
    // offers "Try again" beside the manual shutter (and upload, when allowed) instead of waiting forever.
    var auto = !selfie;
    var deadlineMs = DATA.captureTimeoutMs || (selfie ? SELFIE_TIMEOUT_MS : DOC_TIMEOUT_MS);
    var timedOut = false;
    var capturing = false;
    var detector = null;
    var retry = button(T.try_again, function () {
      timedOut = false;
      retry.hidden = true;
      if (detector) detector.reset();
      say(selfie ? T.fb_selfie_ready : T.fb_ready, 'good');
      armDeadline();
      shutter.focus();
    }, 'secondary', { hidden: true });
    function armDeadline() {
      clearTimeout(S.captureTimer);
      S.captureTimer = setTimeout(function () {
        if (S.step !== 'capture_' + side || capturing) return;
        timedOut = true;
        say(selfie ? T.cap_timeout_selfie : T.cap_timeout, 'warn');
        retry.hidden = false;
      }, deadlineMs);
    }
    function autoCapture(C) {
      capturing = true;
      shutter.disabled = true;
      clearTimeout(S.captureTimer);
      C.snap(video).then(
        function (blob) {
          if (S.step !== 'capture_' + side) return;
          keepImage(side, blob, 'auto_capture');
          go('review_' + side);
        },
        function () {
          // A frame that could not be encoded: the person can still press Take photo.
          capturing = false;
          shutter.disabled = false;
          armDeadline();
        },
      );
    }
    function start() {
      var waiting = setTimeout(function () { say(T.camera_waiting, 'warn'); }, 3000);
      say(T.camera_starting, null);
      loadCapture()
        .then(function (C) {
          return C.start(video, selfie ? 'user' : 'environment').then(function () { return C; });
        })
        .then(
          function (C) {
            clearTimeout(waiting);
            if (S.step !== 'capture_' + side) return C.stop();
            shutter.disabled = false;
            say(selfie ? T.fb_selfie_ready : T.fb_ready, 'good');
            detector = C.steadiness();
            armDeadline();
            S.feedbackTimer = setInterval(function () {
              // The "couldn't take it automatically" message stays put until Try again.
              if (timedOut || capturing) return;
              var r = detector.sample(video, Date.now());
              if (auto && r.steadyMs >= STEADY_MS) return autoCapture(C);
              var q = r.quality;
              if (q === 'dark') say(T.fb_dark, 'warn');
              else if (q === 'bright') say(T.fb_bright, 'warn');
              else if (q === 'blur') say(T.fb_blur, 'warn');
              else if (q === 'ok') say(selfie ? T.fb_selfie_ready : T.fb_ready, 'good');
            }, SAMPLE_MS);
          },
          function (e) {
            clearTimeout(waiting);
            if (S.step !== 'capture_' + side) return;
            var kind = window.VerityCapture ? window.VerityCapture.errorKind(e) : 'no_camera';
            cameraFailed(kind);
          },
        );
    }
    return {
      title: T['title_capture_' + side],
      h1: heading(texts[0]),
      body: [
        p(texts[1]),
        h('div', { class: 'camera' }, [video, h('div', { class: guideClass, 'aria-hidden': 'true' })]),
        feedback,
        h('div', { class: 'actions' }, [shutter, retry, uploadControl(side)]),
      ],
      after: start,
    };
  }

  function cameraFailed(kind) {
    if (kind === 'no_camera' && liveOnly()) return deviceNotSupported();
    showError(kind === 'denied' ? 'camera_denied' : kind === 'no_camera' ? 'no_camera' : 'camera_busy');
  }

  /** No usable camera and uploads are not allowed: the session records device_not_supported. */
  function deviceNotSupported() {
    api('POST', 'device_not_supported', {})
      .then(setSession)
      .then(function () { showError('device'); }, function (e) {
        if (e.network) showError('device');
        else fatal(e);
      });
  }

  VIEWS.capture_front = function () { return captureView('front'); };
  VIEWS.capture_back = function () { return captureView('back'); };
  VIEWS.capture_selfie = function () { return captureView('selfie'); };

  // ── Review of one image, and its upload ──

  function uploadImage(side, img, onProgress) {
    return new Promise(function (resolve, reject) {
      if (navigator.onLine === false) {
        var off = new Error('offline');
        off.network = true;
        return reject(off);
      }
      var fd = new FormData();
      fd.append('side', side);
      fd.append('upload_method', img.method);
      fd.append('file', img.blob, side + '.jpg');
      var x = new XMLHttpRequest();
      x.open('POST', '/verify/api/images');
      x.setRequestHeader('Authorization', 'Bearer ' + S.auth);
      x.upload.onprogress = function (e) {
        if (e.lengthComputable) onProgress(e.loaded / e.total);
      };
      x.onload = function () {
        var j = null;
        try {
          j = JSON.parse(x.responseText);
        } catch (_) {}
        if (x.status >= 200 && x.status < 300) resolve(j);
        else reject(apiError(x.status, j));
      };
      x.onerror = x.ontimeout = function () {
        var e = new Error('network');
        e.network = true;
        reject(e);
      };
      x.send(fd);
    });
  }

  var UPLOAD_ERRORS = {
    file_too_large: 'err_size',
    file_type_unsupported: 'err_type',
    image_unreadable: 'err_unreadable',
    upload_not_allowed: 'err_upload_not_allowed',
  };

  function reviewView(side) {
    var img = S.images[side];
    if (!img) return captureView(side);
    var status = h('p', { class: 'status', role: 'status' });
    var progress = h('progress', { max: '1', value: '0', hidden: true, 'aria-label': T['uploading_' + side] });
    var err = h('p', { class: 'error', role: 'alert' });
    var retry = button(T.try_again, function () { send(); }, 'secondary', { hidden: true });
    var onOnline = null;
    var autoRetries = 0;
    var use = button(T.use_photo, function () {
      if (img.uploaded) return advance();
      send();
    });
    var retake = button(T.retake, function () {
      window.removeEventListener('online', onOnline);
      go('capture_' + side);
    }, 'secondary');
    function send() {
      use.disabled = retry.disabled = true;
      retry.hidden = true;
      err.textContent = '';
      progress.hidden = false;
      progress.value = 0;
      status.textContent = T['uploading_' + side];
      uploadImage(side, img, function (f) { progress.value = f; })
        .then(function (s) {
          setSession(s);
          img.uploaded = true;
          progress.value = 1;
          status.textContent = T['uploaded_' + side];
          // Keep the thumbnail for the final review; the image data itself is no longer needed.
          img.blob = null;
          setTimeout(function () {
            if (S.step === 'review_' + side) advance();
          }, 400);
        })
        .catch(function (e) {
          progress.hidden = true;
          status.textContent = '';
          use.disabled = retry.disabled = false;
          if (e.network) {
            err.textContent = T.offline;
            retry.hidden = false;
            // Still "online" (a dropped connection, a server restart): try again by itself a few times.
            if (navigator.onLine !== false && autoRetries < 3) {
              autoRetries += 1;
              setTimeout(function () {
                if (S.step === 'review_' + side && !img.uploaded && retry.hidden === false) send();
              }, 1000 * Math.pow(2, autoRetries));
            }
            onOnline = function () {
              window.removeEventListener('online', onOnline);
              if (S.step === 'review_' + side && !img.uploaded) send();
            };
            window.addEventListener('online', onOnline);
            return;
          }
          if (e.code === 'image_too_small') err.textContent = T[side === 'selfie' ? 'err_small_selfie' : 'err_small_doc'];
          else if (UPLOAD_ERRORS[e.code]) err.textContent = T[UPLOAD_ERRORS[e.code]];
          else if (LINK_ERRORS[e.code]) return fatal(e);
          else {
            err.textContent = T.err_generic;
            retry.hidden = false;
          }
          if (e.code && e.code !== 'invalid_request') use.disabled = true; // this image will not pass; retake it
        });
    }
    return {
      // Announced once the heading has focus: the live region only speaks about changes.
      after: function () {
        if (!img.uploaded && img.method !== 'file_upload') setTimeout(function () { if (!status.textContent) status.textContent = T.photo_taken; }, 300);
      },
      title: T['title_review_' + side],
      h1: heading(T['review_' + side]),
      body: [
        p(side === 'selfie' ? T.review_selfie_i : T.review_doc_i),
        h('img', { class: 'shot', src: img.url, alt: T['alt_' + side] }),
        progress,
        status,
        err,
        h('div', { class: 'actions' }, [use, retry, retake]),
      ],
    };
  }

  VIEWS.review_front = function () { return reviewView('front'); };
  VIEWS.review_back = function () { return reviewView('back'); };
  VIEWS.review_selfie = function () { return reviewView('selfie'); };

  // ── Typed details ──

  var ID_RULES = {
    us_ssn: { re: /^\d{9}$/, mode: 'numeric', label: 'idn_us_ssn', country: 'idn_us' },
    br_cpf: { re: /^\d{11}$/, mode: 'numeric', label: 'idn_br_cpf', country: 'idn_br' },
    sg_nric: { re: /^[STFGM]\d{7}[A-Z]$/, mode: 'text', label: 'idn_sg_nric', country: 'idn_sg' },
  };

  function field(labelText, input, errEl, hintText) {
    var hintId = hintText ? id('hint') : null;
    input.id = input.id || id('f');
    var desc = [hintId, errEl && errEl.id].filter(Boolean).join(' ');
    if (desc) input.setAttribute('aria-describedby', desc);
    return h('div', null, [
      h('label', { for: input.id, text: labelText }),
      hintId ? h('p', { class: 'hint', id: hintId, text: hintText }) : null,
      input,
      errEl,
    ]);
  }

  VIEWS.id_number = function () {
    var kind = 'us_ssn';
    var numErr = h('p', { class: 'error', id: id('err') });
    var nameErr = h('p', { class: 'error', id: id('err') });
    var dobErr = h('p', { class: 'error', id: id('err') });
    var formErr = h('p', { class: 'error', role: 'alert' });
    var country = h('select', { name: 'id_number_type' }, Object.keys(ID_RULES).map(function (k) {
      return h('option', { value: k, text: T[ID_RULES[k].country] });
    }));
    var number = h('input', { type: 'text', name: 'id_number', inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'characters' });
    var numberField = field(T.idn_us_ssn, number, numErr, T.idn_us_ssn_hint);
    country.addEventListener('change', function () {
      kind = country.value;
      var r = ID_RULES[kind];
      number.setAttribute('inputmode', r.mode);
      numberField.querySelector('label').textContent = T[r.label];
      numberField.querySelector('.hint').textContent = T[r.label + '_hint'];
    });
    var first = h('input', { type: 'text', name: 'first_name', autocomplete: 'given-name' });
    var last = h('input', { type: 'text', name: 'last_name', autocomplete: 'family-name' });
    var day = h('input', { type: 'text', name: 'dob_day', inputmode: 'numeric', autocomplete: 'bday-day', maxlength: '2' });
    var month = h('input', { type: 'text', name: 'dob_month', inputmode: 'numeric', autocomplete: 'bday-month', maxlength: '2' });
    var year = h('input', { type: 'text', name: 'dob_year', inputmode: 'numeric', autocomplete: 'bday-year', maxlength: '4' });
    [day, month, year].forEach(function (i) { i.setAttribute('aria-describedby', dobErr.id); });
    var dobSet = h('fieldset', null, [
      h('legend', { text: T.dob }),
      h('div', { class: 'row' }, [field(T.dob_day, day), field(T.dob_month, month), field(T.dob_year, year)]),
      dobErr,
    ]);
    function invalid(input, errEl, msg) {
      errEl.textContent = msg;
      input.setAttribute('aria-invalid', 'true');
      return input;
    }
    var cont = button(T.continue, function () {
      [numErr, nameErr, dobErr, formErr].forEach(function (e) { e.textContent = ''; });
      [number, first, last, day, month, year].forEach(function (i) { i.removeAttribute('aria-invalid'); });
      var value = number.value.replace(/[\s.\-\/]/g, '').toUpperCase();
      var bad = [];
      if (!ID_RULES[kind].re.test(value)) bad.push(invalid(number, numErr, T.idn_incomplete));
      if (!first.value.trim()) bad.push(invalid(first, nameErr, T.name_required));
      if (!last.value.trim()) bad.push(invalid(last, nameErr, T.name_required));
      var d = +day.value, m = +month.value, y = +year.value;
      var dt = new Date(Date.UTC(y, m - 1, d));
      var okDate = y > 1900 && dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d && dt.getTime() < Date.now();
      if (!okDate) bad.push(invalid(day, dobErr, T.dob_invalid));
      if (bad.length) return bad[0].focus();
      cont.disabled = true;
      api('POST', 'id_number', {
        id_number_type: kind,
        id_number: value,
        dob: { day: d, month: m, year: y },
        first_name: first.value.trim(),
        last_name: last.value.trim(),
      })
        .then(setSession)
        .then(function () { advance(); })
        .catch(function (e) {
          cont.disabled = false;
          if (e.network) formErr.textContent = T.offline;
          else if (e.code === 'invalid_request') {
            invalid(number, numErr, T.idn_invalid).focus();
          } else fatal(e);
        });
    });
    return {
      title: T.title_id_number,
      h1: heading(T.idn_title),
      body: [
        field(T.idn_country, country),
        numberField,
        field(T.first_name, first, nameErr),
        field(T.last_name, last),
        dobSet,
        formErr,
        h('div', { class: 'actions' }, [cont]),
      ],
    };
  };

  function otpView(channel) {
    var s = S.session;
    var to = (s[channel] && s[channel].to) || '';
    var errEl = h('p', { class: 'error', id: id('err'), role: 'alert' });
    var sentEl = p(to ? t('otp_sent', { to: to }) : '', 'muted');
    var code = h('input', { type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6', pattern: '[0-9]*' });
    var waitEl = p('', 'hint');
    var resend = button(T.otp_resend, function () { send(); }, 'secondary');
    function send() {
      resend.disabled = true;
      waitEl.textContent = t('otp_resend_wait', { s: RESEND_COOLDOWN_MS / 1000 });
      setTimeout(function () {
        resend.disabled = false;
        waitEl.textContent = '';
      }, RESEND_COOLDOWN_MS);
      return api('POST', 'otp/send', { channel: channel }).then(
        function (j) {
          S.otpSent[channel] = true;
          if (j && j.id) setSession(j);
        },
        function (e) {
          if (e.network) errEl.textContent = T.offline;
          else if (LINK_ERRORS[e.code]) fatal(e);
          else errEl.textContent = t('otp_not_sent');
        },
      );
    }
    var cont = button(T.continue, function () {
      errEl.textContent = '';
      code.removeAttribute('aria-invalid');
      var v = code.value.replace(/\s/g, '');
      if (!/^\d{6}$/.test(v)) {
        errEl.textContent = T.otp_incomplete;
        code.setAttribute('aria-invalid', 'true');
        return code.focus();
      }
      cont.disabled = true;
      api('POST', 'otp/verify', { channel: channel, code: v })
        .then(setSession)
        .then(function () { advance(); })
        .catch(function (e) {
          cont.disabled = false;
          if (e.network) errEl.textContent = T.offline;
          else if (e.code === 'otp_invalid' || e.code === 'otp_attempts_exceeded' || e.code === 'invalid_request') {
            errEl.textContent = e.code === 'otp_attempts_exceeded' ? T.otp_attempts : T.otp_invalid;
            code.setAttribute('aria-invalid', 'true');
            code.focus();
          } else fatal(e);
        });
    });
    return {
      title: T['title_otp_' + channel],
      h1: heading(T['otp_' + channel + '_title']),
      body: [sentEl, s.livemode ? null : p(T.tm_otp_hint, 'notice'), field(T.otp_label, code, errEl), h('div', { class: 'actions' }, [cont, resend]), waitEl],
      after: function () {
        if (!S.otpSent[channel]) send();
      },
    };
  }

  VIEWS.otp_email = function () { return otpView('email'); };
  VIEWS.otp_phone = function () { return otpView('phone'); };

  // ── Final review, submission, result ──

  VIEWS.review = function () {
    var s = S.session;
    var items = [];
    var sides = [];
    if (isDocument()) {
      sides.push('front');
      if (needsBack()) sides.push('back');
      if (docOpts().require_matching_selfie) sides.push('selfie');
    }
    sides.forEach(function (side) {
      var img = S.images[side];
      var labelId = id('item');
      items.push(h('li', null, [
        img && img.url ? h('img', { src: img.url, alt: T['alt_' + side] }) : null,
        h('span', { class: 'label', id: labelId }, [h('span', { text: T['item_' + side] }), h('br'), h('span', { class: 'ok', text: T.item_saved })]),
        button(T.retake, function () { go('capture_' + side); }, 'secondary', { 'aria-describedby': labelId }),
      ]));
    });
    if (needsIdNumber()) items.push(h('li', null, [h('span', { class: 'label', text: T.item_id_number + ' — ' + T.item_saved })]));
    if (s.email && s.email.required) items.push(h('li', null, [h('span', { class: 'label', text: T.item_email })]));
    if (s.phone && s.phone.required) items.push(h('li', null, [h('span', { class: 'label', text: T.item_phone })]));
    var err = h('p', { class: 'error', role: 'alert' });
    var submit = button(T.submit, function () {
      if (submit.disabled) return;
      submit.disabled = true; // at once: a double click must not submit twice
      stopCamera();
      api('POST', 'submit', {})
        .then(setSession)
        .then(function (s2) {
          go(s2.status === 'processing' ? 'processing' : 'done', true);
        })
        .catch(function (e) {
          submit.disabled = false;
          if (e.network) err.textContent = T.offline;
          else if (e.code === 'requirements_missing') {
            err.textContent = T.missing_items;
            api('GET', 'session').then(setSession).then(function () { advance(); }, fatal);
          } else fatal(e);
        });
    });
    return {
      title: T.title_review,
      h1: heading(T.review_title),
      body: [p(t('review_intro')), h('ul', { class: 'items' }, items), err, h('div', { class: 'actions' }, [submit])],
    };
  };

  VIEWS.processing = function () {
    return {
      title: T.title_processing,
      h1: heading(T.processing_title),
      body: [h('div', { class: 'spinner', role: 'progressbar', 'aria-label': T.processing_title }), p(T.processing_body)],
      after: function () {
        app.setAttribute('aria-busy', 'true');
        Object.keys(S.images).forEach(function (k) {
          var img = S.images[k];
          if (img) img.blob = null;
        });
        // Live mode never shows the verdict, so there is nothing to wait for once the server has it.
        if (S.session.livemode) return setTimeout(function () { if (S.step === 'processing') go('done', true); }, 1200);
        var started = Date.now();
        (function poll() {
          setTimeout(function () {
            if (S.step !== 'processing') return;
            api('GET', 'session')
              .then(setSession)
              .then(function (s) {
                if (s.status === 'processing' && Date.now() - started < 60000) return poll();
                go('done', true);
              }, function () {
                if (Date.now() - started < 60000) poll();
                else go('done', true);
              });
          }, 1000);
        })();
      },
    };
  };

  VIEWS.done = function () {
    var s = S.session;
    var body = [p(t('done_body'))];
    if (!s.livemode) {
      var verdict =
        s.status === 'verified' ? T.done_test_verified
        : s.status === 'processing' ? T.done_test_processing
        : t('done_test_unverified', { reason: (s.last_error && s.last_error.code) || '?' });
      body.push(h('p', { class: 'notice', text: verdict }));
    }
    if (EMBED) body.push(h('div', { class: 'actions' }, [button(T.done, function () { post('complete'); })]));
    else body.push(returnOrClose());
    Object.keys(S.images).forEach(function (k) {
      var img = S.images[k];
      if (img && img.url) URL.revokeObjectURL(img.url);
      S.images[k] = null;
    });
    return { title: T.title_done, h1: heading(T.done_title), body: body, after: function () { post('submitted'); } };
  };

  // ── Errors ──

  var ERRORS = {
    camera_denied: ['camera_denied_title', 'camera_denied_body'],
    no_camera: ['no_camera_title', 'no_camera_body'],
    camera_busy: ['camera_busy_title', 'camera_busy_body'],
    device: ['device_title', 'device_body'],
    server: ['server_title', 'server_body'],
    unsupported: ['unsupported_title', 'unsupported_body'],
    frame: ['frame_title', 'frame_body'],
  };

  function showError(kind) {
    go('error_' + kind, /^(server|unsupported|frame|device)$/.test(kind) || !S.session);
  }

  function showLinkError(kind) {
    go('error_link_' + kind, true);
  }

  /** Continue on another device: the standalone link can be opened on a phone (the modal has no link to share). */
  function copyLink() {
    if (EMBED || !navigator.clipboard) return null;
    var done = h('p', { class: 'status', role: 'status' });
    return h('div', null, [
      button(T.copy_link, function () {
        navigator.clipboard.writeText(location.href).then(function () { done.textContent = T.link_copied; }, function () {});
      }, 'secondary'),
      done,
    ]);
  }

  function errorView(step) {
    var link = /^error_link_(\w+)$/.exec(step);
    if (link) {
      return {
        title: T['title_status_' + link[1]] || T.title_error_link,
        h1: heading(T['status_' + link[1] + '_title']),
        body: [p(t('status_' + link[1] + '_body')), EMBED ? returnOrClose() : null],
      };
    }
    var kind = step.replace(/^error_/, '');
    var keys = ERRORS[kind] || ERRORS.server;
    var body = [p(t(keys[1]))];
    var actions = [];
    var camera = kind === 'camera_denied' || kind === 'no_camera' || kind === 'camera_busy';
    var side = S.hist[S.idx - 1] && /^capture_(\w+)$/.exec(S.hist[S.idx - 1]);
    side = side ? side[1] : S.images.front && S.images.front.uploaded ? (needsBack() && !S.images.back ? 'back' : 'selfie') : 'front';
    if (camera || kind === 'device') actions.push(copyLink());
    if (camera) {
      if (kind === 'no_camera' && !liveOnly()) body.push(p(T.no_camera_upload));
      if (kind !== 'no_camera') actions.push(button(T.try_again, function () { go('capture_' + side, true); }));
      if (!liveOnly()) actions.push(uploadControl(side));
      else actions.push(button(T.cant_use_camera, deviceNotSupported, 'secondary'));
    } else if (kind === 'server') {
      actions.push(button(T.try_again, function () { location.reload(); }));
    } else if (kind === 'device' || kind === 'frame') {
      actions.push(returnOrClose());
    }
    if (kind !== 'frame') body.push(contactLine());
    return {
      title: T['title_error_' + kind] || T.title_error_server,
      h1: heading(T[keys[0]]),
      body: body.concat([h('div', { class: 'actions' }, actions)]),
    };
  }

  // ── Start ──

  function ensureBanner() {
    if (S.session.livemode || document.querySelector('[data-testmode-banner]')) return;
    var banner = h('div', { class: 'testmode', 'data-testmode-banner': true, role: 'note' }, [
      h('strong', { text: T.testmode_banner }),
      ' ',
      h('span', { text: T.testmode_banner_detail }),
    ]);
    document.body.insertBefore(banner, document.body.firstChild);
  }

  function load() {
    api('GET', 'session')
      .then(setSession)
      .then(function (s) {
        ensureBanner();
        post('loaded');
        if (s.status === 'canceled') return showLinkError('canceled');
        advance(true);
      })
      .catch(function (e) {
        if (e.network) return showError('server');
        fatal(e);
      });
  }

  function supported() {
    return !!(window.fetch && window.Promise && window.URL && window.FormData && window.history && window.history.pushState &&
      HTMLCanvasElement.prototype.toBlob);
  }

  window.addEventListener('pagehide', stopCamera);
  document.addEventListener('visibilitychange', function () {
    // Tracks die in background tabs anyway; stop them ourselves and start again when the tab returns.
    if (!/^capture_/.test(S.step || '')) return;
    if (document.hidden) stopCamera();
    else render(S.step);
  });

  if (!supported()) return showError('unsupported');

  if (!EMBED) {
    S.auth = decodeURIComponent(location.pathname.split('/').pop() || '');
    return load();
  }

  if (DATA.frameError) return showError('frame');
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') post('escape');
  });
  window.addEventListener('message', function (e) {
    if (e.origin !== DATA.parentOrigin || e.source !== window.parent) return;
    var m = e.data;
    if (!m || m.type !== 'verity:init' || typeof m.clientSecret !== 'string' || S.auth) return;
    S.auth = m.clientSecret;
    load();
  });
  post('ready');
})();
